/**
 * The external program of discoro_client5: reads numbers, one per line, and answers each with
 * "Line k - current time is ..." until its input ends. Shipped to the nodes as a data file.
 */
import { createInterface } from 'node:readline';

let k = 0;
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  k++;
  process.stdout.write(`Line ${k} - current time is ${new Date().toISOString()} (${line.trim()})\n`);
}
