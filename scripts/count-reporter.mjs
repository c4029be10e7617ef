/**
 * A node:test reporter that only counts: one line `{"passed":N,"failed":N}` for the run. scripts/run-tests.ts
 * adds it beside the usual reporter and sums the runs into the suite's last line. Plain JavaScript: node
 * loads reporters before any TypeScript hook.
 * @param {AsyncIterable<{ type: string, data: { skip?: unknown, todo?: unknown, details?: { type?: string } } }>} source
 */
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Suites report their own pass or fail beside their tests: only tests count.
    if (event.data.details?.type === 'suite') continue;
    // A skipped test neither passed nor failed.
    if (event.data.skip || event.data.todo) continue;
    if (event.type === 'test:pass') passed += 1;
    else failed += 1;
  }
  yield `${JSON.stringify({ passed, failed })}\n`;
}
