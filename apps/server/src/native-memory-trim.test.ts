import { describe, expect, it, vi } from 'vitest';
import { type ForeignFunctionInterface, loadNativeMemoryTrim } from './native-memory-trim.js';

/** Whether this process runs on glibc (Node's report names its version there, not on musl). */
function runsOnGlibc(): boolean {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return header?.glibcVersionRuntime !== undefined;
}

describe('loadNativeMemoryTrim', () => {
  it.runIf(process.platform === 'linux' && runsOnGlibc())(
    "binds glibc's malloc_trim through koffi on Linux with glibc, and calling it works",
    async () => {
      const trim = await loadNativeMemoryTrim();
      expect(trim).toBeTypeOf('function');
      expect(() => trim?.()).not.toThrow();
    },
  );

  it('calls malloc_trim(0) of libc.so.6', async () => {
    const mallocTrim = vi.fn(() => 1);
    const func = vi.fn(() => mallocTrim);
    const load = vi.fn(() => ({ func }));
    const trim = await loadNativeMemoryTrim('linux', async () => ({ load }));
    trim?.();
    expect(load).toHaveBeenCalledWith('libc.so.6');
    expect(func).toHaveBeenCalledWith('int malloc_trim(size_t pad)');
    expect(mallocTrim).toHaveBeenCalledWith(0);
  });

  it('is undefined on other platforms, without importing anything', async () => {
    const importFfi = vi.fn(async (): Promise<ForeignFunctionInterface> => {
      throw new Error('not called');
    });
    for (const platform of ['darwin', 'win32', 'freebsd']) {
      await expect(loadNativeMemoryTrim(platform, importFfi)).resolves.toBeUndefined();
    }
    expect(importFfi).not.toHaveBeenCalled();
  });

  it('is undefined when koffi is not installed or the C library has no malloc_trim (musl)', async () => {
    const missingModule = async (): Promise<ForeignFunctionInterface> => {
      throw Object.assign(new Error("Cannot find package 'koffi'"), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    await expect(loadNativeMemoryTrim('linux', missingModule)).resolves.toBeUndefined();
    const noLibrary: ForeignFunctionInterface = {
      load() {
        throw new Error('Failed to load shared library: libc.so.6: cannot open shared object file');
      },
    };
    await expect(loadNativeMemoryTrim('linux', async () => noLibrary)).resolves.toBeUndefined();
    const noSymbol: ForeignFunctionInterface = {
      load: () => ({
        func() {
          throw new Error('Cannot find function malloc_trim in shared library');
        },
      }),
    };
    await expect(loadNativeMemoryTrim('linux', async () => noSymbol)).resolves.toBeUndefined();
  });
});
