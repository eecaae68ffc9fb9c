export function b64encode(s) {
  return Buffer.from(String(s)).toString("base64");
}
export default { b64encode };
