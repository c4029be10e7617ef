/** The reliability suite's sizes: each a default that an environment variable may change. */
import assert from 'node:assert/strict';

/** The whole number above 0 in `process.env[name]`, else `fallback`. */
export const sized = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  assert.ok(Number.isInteger(value) && value > 0, `${name} must be a positive whole number`);
  return value;
};
