/** nunjucks' parser has no published types; berth uses only `parse`. */
declare module 'nunjucks/src/parser.js' {
  const parser: { parse(src: string): unknown };
  export default parser;
}
