/**
 * Code point order, which is how utf8mb4_bin sorts keys in MySQL and MariaDB. JavaScript's `<`
 * compares UTF-16 units instead and disagrees above U+FFFF; the memory store sorts with this.
 */
export function compareKeys(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
  }
  return Math.sign(a.length - b.length);
}
