import { fileURLToPath } from 'node:url';
import { startShenpi } from 'shenpi';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    shenpiUrl: string;
  }
}

// One shenpi for the whole run; every test file reaches it at inject('shenpiUrl').
export default async function setup(project: TestProject) {
  const shenpi = await startShenpi({ fixture: fileURLToPath(new URL('../fixture.json', import.meta.url)) });
  project.provide('shenpiUrl', shenpi.url);
  return () => shenpi.close();
}
