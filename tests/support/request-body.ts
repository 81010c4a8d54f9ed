/** The body of a request a local platform fake received: JSON, multipart form fields (files as name, size and type), or raw text. */
export async function bodyOf(contentType: string, raw: Buffer): Promise<Record<string, unknown>> {
  if (raw.length === 0) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  if (contentType.includes('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const fields: Record<string, unknown> = {};
    for (const [name, value] of form.entries())
      fields[name] = typeof value === 'string' ? value : { fileName: value.name, size: value.size, type: value.type };
    return fields;
  }
  return { raw: raw.toString('utf8') };
}
