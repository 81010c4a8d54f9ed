/**
 * WeChat's XML, read with fast-xml-parser (never with regular expressions): a push is one `<xml>`
 * element whose children are fields (`<Content><![CDATA[…]]></Content>`). Values stay strings:
 * `MsgId` is a 64-bit integer that a JavaScript number would round.
 * @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One `<xml>` element: each child by name, a string for a text field, an object for an element with children. */
export type XmlFields = Readonly<Record<string, unknown>>;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

/** The fields of the `<xml>` root of `text`, or undefined when it is not well-formed XML with that root. */
export function readXml(text: string): XmlFields | undefined {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) return undefined;
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const root = (parsed as Record<string, unknown>).xml;
  if (root === '') return {};
  return typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as XmlFields) : undefined;
}

/** A text field: its string, `undefined` when absent, `null` when present with another shape (an element, a repeat). */
export function textField(fields: XmlFields, name: string): string | undefined | null {
  const value = fields[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

/** `<xml>` with each field as CDATA, as WeChat writes (for safe-mode answers and tests). */
export function writeXml(fields: Readonly<Record<string, string | number>>): string {
  const body = Object.entries(fields)
    .map(([name, value]) => (typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`))
    .join('');
  return `<xml>${body}</xml>`;
}

function cdata(text: string): string {
  return `<![CDATA[${text.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}
