const names: string[] = [];

/** Excel's name of column `n` (1-based): A..Z, AA..ZZ, AAA...; remembered, as every row asks again. */
export function columnLetters(n: number): string {
  let name = names[n];
  if (name === undefined) {
    name = '';
    for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) name = String.fromCharCode(65 + ((x - 1) % 26)) + name;
    names[n] = name;
  }
  return name;
}
