// opencc-js 1.4 ships its character tables as ESM modules without type declarations
// (package.json maps "./*" to dist/esm-lib/*.js and "types" only covers the converters).
// Each table is one string: "key value value|key value|…".

declare module 'opencc-js/dict/STCharacters' {
  /** Simplified → Traditional character table of OpenCC. */
  const table: string;
  export default table;
}

declare module 'opencc-js/dict/TSCharacters' {
  /** Traditional → Simplified character table of OpenCC. */
  const table: string;
  export default table;
}

declare module 'opencc-js/dict/JPShinjitaiCharacters' {
  /** Japanese shinjitai → Traditional character table of OpenCC. */
  const table: string;
  export default table;
}

declare module 'opencc-js/dict/TWPhrases' {
  /** Mainland (in Traditional characters) → Taiwan phrase table of OpenCC. */
  const table: string;
  export default table;
}
