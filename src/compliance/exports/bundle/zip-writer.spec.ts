import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip } from '../../../../test/helpers/zip.js';
import { StreamingZipWriter } from './zip-writer.js';

/** name → sha256 of every entry, read back with yauzl (the reader export:verify uses). */
async function entriesOf(path: string): Promise<Map<string, string>> {
  return new Map([...(await readZip(path))].map(([name, bytes]) => [name, createHash('sha256').update(bytes).digest('hex')]));
}

/** An independent reader: Python's zipfile checks every CRC (testzip) and lists the entries. */
function pythonCheck(path: string): { bad: string | null; count: number } {
  const script = 'import sys,zipfile,json\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({"bad":z.testzip(),"count":len(z.infolist())}))';
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as { bad: string | null; count: number };
}

describe('StreamingZipWriter', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chorus-zip-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes stored, deflated, buffered and streamed entries (UTF-8 names) that other readers accept', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'chorus compliance ');
    await writeFile(join(dir, 'big.txt'), big);
    const zip = new StreamingZipWriter(join(dir, 'a.zip'), join(dir, 'a.cd'), new Date('2026-11-23T10:20:30Z'));
    const expected = new Map<string, string>();
    const add = async (name: string, data: Buffer, compress: boolean) => {
      expected.set(name, createHash('sha256').update(data).digest('hex'));
      await zip.addBuffer(name, data, compress);
    };
    await add('manifest.json', Buffer.from('{"a":1}'), true);
    await add('messages/été 🎉.eml', Buffer.from('Subject: hi\r\n\r\nbody'), true);
    await add('empty.txt', Buffer.alloc(0), true);
    await add('stored.bin', Buffer.from([0, 1, 2, 3]), false);
    await zip.addFile('big.txt', join(dir, 'big.txt'), big.length, true);
    expected.set('big.txt', createHash('sha256').update(big).digest('hex'));
    await zip.addFile('slice.txt', join(dir, 'big.txt'), 100, false, 18);
    expected.set('slice.txt', createHash('sha256').update(big.subarray(18, 118)).digest('hex'));
    const done = await zip.finish();

    const bytes = await readFile(join(dir, 'a.zip'));
    expect(done).toEqual({ sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(bytes.length).toBeLessThan(big.length / 10);
    expect(await entriesOf(join(dir, 'a.zip'))).toEqual(expected);
    expect(pythonCheck(join(dir, 'a.zip'))).toEqual({ bad: null, count: 6 });
  });

  it('switches to ZIP64 end records past 65,535 entries, with memory that does not follow the entry count', async () => {
    const zip = new StreamingZipWriter(join(dir, 'many.zip'), join(dir, 'many.cd'), new Date());
    const n = 70_000;
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) await zip.addBuffer(`messages/${i}.eml`, Buffer.from(`Message-ID: <${i}@x>\r\n\r\npost ${i}`), true);
    await zip.finish();
    const grown = process.memoryUsage().heapUsed - before;
    // Held per entry would be tens of MB here; the central directory went to the spill file.
    expect(grown).toBeLessThan(40 * 1024 * 1024);
    expect(pythonCheck(join(dir, 'many.zip'))).toEqual({ bad: null, count: n });
    const last = execFileSync('python3', ['-c', 'import sys,zipfile,hashlib\nprint(hashlib.sha256(zipfile.ZipFile(sys.argv[1]).read("messages/69999.eml")).hexdigest())', join(dir, 'many.zip')], {
      encoding: 'utf8',
    }).trim();
    expect(last).toBe(createHash('sha256').update('Message-ID: <69999@x>\r\n\r\npost 69999').digest('hex'));
  }, 120_000);
});
