/** The demo page's script and style, imported `with { type: "text" }`: their contents, also when compiled. */
declare module "*/public/demo.css" {
  const text: string;
  export default text;
}
declare module "*/public/demo.js" {
  const text: string;
  export default text;
}
