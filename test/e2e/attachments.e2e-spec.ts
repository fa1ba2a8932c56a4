import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { AttachmentService } from '../../src/attachments/attachment.service.js';
import { TenantDatabase, type OrgTx } from '../../src/tenancy/tenant-database.js';
import { asAppRole, expectProblem } from '../helpers/assertions.js';
import { png } from '../helpers/files.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const pdf = () => Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const elf = () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);
const exe = () => Buffer.concat([Buffer.from('MZ'), Buffer.alloc(126)]);

/** A ZIP archive with stored (uncompressed) entries: local headers, central directory, end record. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const fileName = Buffer.from(name);
    const data = Buffer.from(text);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** An OOXML package whose main part has this content type (…document.main+xml for a DOCX). */
const ooxml = (mainContentType: string, mainPart: string) =>
  zip({
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/${mainPart}" ContentType="${mainContentType}"/></Types>`,
    [mainPart]: '<?xml version="1.0" encoding="UTF-8"?><document/>',
  });

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every file under dir (recursively), so a stray temp file would show up too. */
async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

interface Uploaded {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

describe('attachments: upload, type sniffing, limits, attaching to posts', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chorus-attachments-'));
    t = await startTestApp({ ATTACHMENT_DIR: dir });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = (app: TestApp, user: TestUser, bytes: Buffer, filename: string, contentType = 'application/octet-stream') =>
    api(app.http).post('/api/v1/attachments').set(bearer(user)).attach('file', bytes, { filename, contentType });
  const rowsOf = async (org: TestOrg) =>
    (await t.superuser.query('SELECT count(*)::int AS n FROM attachment WHERE org_id = $1', [org.id])).rows[0].n as number;
  const uploadOk = async (user: TestUser, bytes: Buffer, filename: string) => (await upload(t, user, bytes, filename).expect(201)).body as Uploaded;
  const newPost = async (user: TestUser) => (await api(t.http).post('/api/v1/posts').set(bearer(user)).send({ body: 'with files' }).expect(201)).body.id as string;
  const service = () => t.app.get(AttachmentService);
  const inOrg = <T>(org: TestOrg, work: (tx: OrgTx) => Promise<T>) => t.app.get(TenantDatabase).withOrg(org.id, work);

  it('stores a PNG as image/png with its size and SHA-256, under <orgId>/<id>', async () => {
    const org = await t.factory.newOrg();
    const bytes = png();
    const res = await upload(t, org.admin, bytes, 'pixel.png', 'image/png').expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      fileName: 'pixel.png',
      contentType: 'image/png',
      sizeBytes: bytes.length,
      sha256: sha256(bytes),
      createdAt: expect.any(String),
    });
    const row = (await t.superuser.query('SELECT * FROM attachment WHERE org_id = $1', [org.id])).rows;
    expect(row).toEqual([
      expect.objectContaining({ id: res.body.id, uploader_id: org.admin.id, post_id: null, attached_at: null, storage_key: `${org.id}/${res.body.id}` }),
    ]);
    expect(await filesUnder(join(dir, org.id))).toEqual([join(dir, org.id, res.body.id)]);
    expect(sha256(await readFile(join(dir, org.id, res.body.id)))).toBe(sha256(bytes));
  });

  it('decides the type from the bytes, never from the declared Content-Type or file name', async () => {
    const org = await t.factory.newOrg();
    const disguised = await upload(t, org.admin, pdf(), 'photo.png', 'image/png').expect(201);
    expect(disguised.body).toMatchObject({ fileName: 'photo.png', contentType: 'application/pdf', sha256: sha256(pdf()) });

    const docx = ooxml(`${DOCX}.main+xml`, 'word/document.xml');
    expect((await upload(t, org.admin, docx, 'report.zip', 'application/zip').expect(201)).body.contentType).toBe(DOCX);

    const text = Buffer.from('Quarterly notes: ✓ done\n');
    expect((await upload(t, org.admin, text, 'notes.exe', 'application/x-msdownload').expect(201)).body).toMatchObject({
      contentType: 'text/plain',
      fileName: 'notes.exe',
      sizeBytes: text.length,
    });
  });

  it('refuses executables, unknown binary, invalid UTF-8, plain ZIPs and macro Office files with 415, writing nothing', async () => {
    const org = await t.factory.newOrg();
    const refused: [string, Buffer, string][] = [
      ['ELF', elf(), 'application/x-elf'],
      ['EXE', exe(), 'application/x-msdownload'],
      ['random binary', Buffer.concat([Buffer.from([0x00, 0x9c, 0xff, 0x13]), randomBytes(508)]), 'application/octet-stream'],
      ['invalid UTF-8', Buffer.from([0x48, 0x69, 0xc3, 0x28]), 'application/octet-stream'],
      ['text with NUL', Buffer.from('abc\u0000def'), 'application/octet-stream'],
      ['plain zip', zip({ 'a.txt': 'hello' }), 'application/zip'],
      ['docm', ooxml('application/vnd.ms-word.document.macroEnabled.main+xml', 'word/document.xml'), 'application/vnd.ms-word.document.macroenabled.12'],
    ];
    for (const [what, bytes, detected] of refused) {
      const res = await upload(t, org.admin, bytes, 'picture.png', 'image/png');
      expectProblem(res, 415, 'unsupported_media_type');
      expect([what, res.body.detectedType]).toEqual([what, detected]);
    }
    expect(await rowsOf(org)).toBe(0);
    expect(await filesUnder(join(dir, org.id))).toEqual([]);
  });

  it('answers a missing, misnamed or empty file with 400 file_required and a non-multipart body with 415', async () => {
    const org = await t.factory.newOrg();
    const post = () => api(t.http).post('/api/v1/attachments').set(bearer(org.admin));
    expectProblem(await post().field('note', 'no file here'), 400, 'file_required');
    expectProblem(await post().attach('upload', png(), 'pixel.png'), 400, 'file_required');
    expectProblem(await post().attach('file', Buffer.alloc(0), 'empty.txt'), 400, 'file_required');
    expectProblem(await post(), 400, 'file_required');
    expectProblem(await post().send({ file: 'aGVsbG8=' }), 415, 'unsupported_media_type');
    expectProblem(await post().set('Content-Type', 'text/plain').send('hello'), 415, 'unsupported_media_type');
    expect(await rowsOf(org)).toBe(0);
    expect(await filesUnder(join(dir, org.id))).toEqual([]);
  });

  it('needs a signed-in user, and the CSRF token with a session cookie, before reading the file', async () => {
    const org = await t.factory.newOrg();
    expectProblem(await api(t.http).post('/api/v1/attachments').attach('file', png(), 'pixel.png'), 401, 'unauthenticated');
    const browser = await t.factory.login(org.admin);
    const fromBrowser = () => api(t.http).post('/api/v1/attachments').set('Cookie', browser.cookie);
    expectProblem(await fromBrowser().attach('file', png(), 'pixel.png'), 403, 'csrf_failed');
    expect(await rowsOf(org)).toBe(0);
    const ok = await fromBrowser().set('X-CSRF-Token', browser.csrf).attach('file', png(), 'pixel.png').expect(201);
    expect(ok.body.contentType).toBe('image/png');
  });

  it('removes the stored file again when its row cannot be written', async () => {
    const org = await t.factory.newOrg();
    const name = `fail-${randomUUID()}.png`;
    // Fails only this upload's INSERT, so nothing else sharing the database is affected.
    await t.superuser.query(`CREATE FUNCTION attachment_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'row refused by test'; END $$`);
    await t.superuser.query(`CREATE TRIGGER attachment_test_fail BEFORE INSERT ON attachment FOR EACH ROW
      WHEN (NEW.file_name = '${name}') EXECUTE FUNCTION attachment_test_fail()`);
    try {
      expectProblem(await upload(t, org.admin, png(), name), 500, 'internal_error');
    } finally {
      await t.superuser.query('DROP TRIGGER attachment_test_fail ON attachment');
      await t.superuser.query('DROP FUNCTION attachment_test_fail()');
    }
    expect(await rowsOf(org)).toBe(0);
    expect(await filesUnder(join(dir, org.id))).toEqual([]);
  });

  it('keeps a UTF-8 file name, without bidi controls, at most 200 characters with its extension', async () => {
    const org = await t.factory.newOrg();
    expect((await uploadOk(org.admin, png(), 'Résumé ✓.png')).fileName).toBe('Résumé ✓.png');
    expect((await uploadOk(org.admin, png(), 'invoice\u202Egnp.exe')).fileName).toBe('invoicegnp.exe');
    const long = await uploadOk(org.admin, png(), `${'a'.repeat(300)}.png`);
    expect(long.fileName).toBe(`${'a'.repeat(196)}.png`);
  });

  it('refuses a file over ATTACHMENT_MAX_BYTES with 413 attachment_too_large and writes nothing', async () => {
    const smallDir = await mkdtemp(join(tmpdir(), 'chorus-attachments-small-'));
    const small = await startTestApp({ ATTACHMENT_DIR: smallDir, ATTACHMENT_MAX_BYTES: '2048' });
    try {
      const org = await small.factory.newOrg();
      const res = await upload(small, org.admin, Buffer.from('x'.repeat(2049)), 'big.txt');
      expectProblem(res, 413, 'attachment_too_large');
      expect(res.body.maxBytes).toBe(2048);
      expectProblem(await upload(small, org.admin, Buffer.from('y'.repeat(64 * 1024)), 'bigger.txt'), 413, 'attachment_too_large');
      expect(await rowsOf(org)).toBe(0);
      expect(await filesUnder(smallDir)).toEqual([]);

      const exact = await upload(small, org.admin, Buffer.from('z'.repeat(2048)), 'exact.txt').expect(201);
      expect(exact.body).toMatchObject({ sizeBytes: 2048, contentType: 'text/plain' });
      expect(await filesUnder(smallDir)).toEqual([join(smallDir, org.id, exact.body.id)]);
    } finally {
      await small.close();
      await rm(smallDir, { recursive: true, force: true });
    }
  });

  it('attaches only the uploader’s own unattached uploads, all or none, and lists them per post', async () => {
    const org = await t.factory.newOrg();
    const author = await t.factory.newUser(org);
    const other = await t.factory.newUser(org);
    const a1 = await uploadOk(author, png(), 'one.png');
    const a2 = await uploadOk(author, pdf(), 'two.pdf');
    const theirs = await uploadOk(other, png(), 'theirs.png');
    const postId = await newPost(author);
    const secondPostId = await newPost(author);
    const attach = (ids: string[], to = postId) => inOrg(org, (tx) => service().attachInTx(tx, author.id, to, ids));
    const unattached = async () =>
      (await t.superuser.query('SELECT id FROM attachment WHERE org_id = $1 AND post_id IS NULL ORDER BY id', [org.id])).rows.map((r) => r.id);

    await expect(attach([a1.id, theirs.id])).rejects.toMatchObject({ status: 400, code: 'invalid_attachment', extra: { invalidIds: [theirs.id] } });
    const unknown = randomUUID();
    await expect(attach([a1.id, unknown])).rejects.toMatchObject({ code: 'invalid_attachment', extra: { invalidIds: [unknown] } });
    await expect(attach(['not-a-uuid'])).rejects.toMatchObject({ code: 'invalid_attachment', extra: { invalidIds: ['not-a-uuid'] } });
    await expect(attach(Array.from({ length: 11 }, () => randomUUID()))).rejects.toMatchObject({ status: 400, code: 'too_many_attachments' });
    // A failed call leaves every upload as it was: the transaction rolled back.
    expect(await unattached()).toEqual([a1.id, a2.id, theirs.id].sort());

    await attach([a2.id.toUpperCase(), a1.id, a1.id]);
    await expect(attach([a1.id], secondPostId)).rejects.toMatchObject({ code: 'invalid_attachment', extra: { invalidIds: [a1.id] } });
    expect(await unattached()).toEqual([theirs.id]);

    // Read paths list a post's files (built in the hydration query) exactly as the upload answered them.
    const filesOf = async (id: string) => (await api(t.http).get(`/api/v1/posts/${id}`).set(bearer(author)).expect(200)).body.attachments;
    expect(await filesOf(postId)).toEqual([a1, a2]);
    expect(await filesOf(secondPostId)).toEqual([]);

    const opened = await inOrg(org, (tx) => service().openInTx(tx, a2.id));
    expect(opened?.attachment).toMatchObject({ id: a2.id, postId, uploaderId: author.id, contentType: 'application/pdf', attachedAt: expect.any(Date) });
    expect(await readAll(opened!.stream)).toEqual(pdf());
    expect(await inOrg(org, (tx) => service().openInTx(tx, randomUUID()))).toBeNull();
  });

  it('keeps another org from attaching or reading an upload', async () => {
    const orgA = await t.factory.newOrg();
    const orgB = await t.factory.newOrg();
    const mine = await uploadOk(orgA.admin, png(), 'private.png');
    const theirPost = await newPost(orgB.admin);

    await expect(inOrg(orgB, (tx) => service().attachInTx(tx, orgB.admin.id, theirPost, [mine.id]))).rejects.toMatchObject({
      code: 'invalid_attachment',
    });
    // Even naming A's uploader does not help: B's transaction cannot see A's rows.
    await expect(inOrg(orgB, (tx) => service().attachInTx(tx, orgA.admin.id, theirPost, [mine.id]))).rejects.toMatchObject({
      code: 'invalid_attachment',
    });
    expect(await inOrg(orgB, (tx) => service().openInTx(tx, mine.id))).toBeNull();
    expect((await api(t.http).get(`/api/v1/posts/${theirPost}`).set(bearer(orgB.admin)).expect(200)).body.attachments).toEqual([]);
    expect(await asAppRole(t.superuser, orgB.id, 'SELECT id FROM attachment WHERE id = $1', [mine.id])).toEqual([]);
    expect(await asAppRole(t.superuser, orgA.id, 'SELECT id FROM attachment WHERE id = $1', [mine.id])).toEqual([{ id: mine.id }]);

    const row = (await t.superuser.query('SELECT post_id FROM attachment WHERE id = $1', [mine.id])).rows[0];
    expect(row.post_id).toBeNull();
  });

  describe('on posts', () => {
    const download = (user: TestUser, id: string) => api(t.http).get(`/api/v1/attachments/${id}/content`).set(bearer(user)).buffer(true);

    it('attaches uploads when posting, lists them on the post, and serves them to readers', async () => {
      const org = await t.factory.newOrg();
      const reader = await t.factory.newUser(org);
      const image = await uploadOk(org.admin, png(), 'red.png');
      const doc = await uploadOk(org.admin, pdf(), 'Q3 plan.pdf');
      const created = await api(t.http).post('/api/v1/posts').set(bearer(org.admin)).send({ body: 'files', attachmentIds: [image.id, doc.id] }).expect(201);
      expect(created.body.attachments.map((a: Uploaded) => a.id).sort()).toEqual([image.id, doc.id].sort());
      const [item] = (await api(t.http).get('/api/v1/streams/company').set(bearer(reader)).expect(200)).body.items;
      expect(item.attachments).toHaveLength(2);

      const img = await download(reader, image.id).expect(200);
      expect(img.headers['content-type']).toBe('image/png');
      expect(img.headers['content-disposition']).toBe('inline');
      expect(img.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.compare(img.body as Buffer, png())).toBe(0);
      const file = await download(reader, doc.id).expect(200);
      expect(file.headers['content-type']).toBe('application/pdf');
      expect(file.headers['content-disposition']).toMatch(/^attachment; filename="Q3 plan.pdf"/);
    });

    it('serves an attachment only to those who can see its post', async () => {
      const org = await t.factory.newOrg();
      const insider = await t.factory.newUser(org);
      const outsider = await t.factory.newUser(org);
      const other = await t.factory.newOrg();
      const g = await api(t.http).post('/api/v1/groups').set(bearer(insider)).send({ name: 'Files', visibility: 'private' }).expect(201);
      const secret = await uploadOk(insider, png(), 'secret.png');
      const pending = await uploadOk(insider, png(), 'pending.png');
      const p = await api(t.http).post('/api/v1/posts').set(bearer(insider)).send({ body: 'secret', groupId: g.body.id, attachmentIds: [secret.id] }).expect(201);
      await download(insider, secret.id).expect(200);
      for (const viewer of [outsider, org.admin, other.admin]) expectProblem(await download(viewer, secret.id), 404, 'not_found');
      // Before it is attached, only its uploader can read it.
      await download(insider, pending.id).expect(200);
      expectProblem(await download(outsider, pending.id), 404, 'not_found');
      // A deleted post takes its attachments with it.
      await api(t.http).delete(`/api/v1/posts/${p.body.id}`).set(bearer(insider)).expect(204);
      expectProblem(await download(insider, secret.id), 404, 'not_found');
    });

    it('rejects attaching someone else’s or too many uploads, and writes no post', async () => {
      const org = await t.factory.newOrg();
      const a = await t.factory.newUser(org);
      const theirs = await uploadOk(org.admin, png(), 'theirs.png');
      const before = (await t.superuser.query('SELECT count(*)::int AS n FROM post WHERE org_id = $1', [org.id])).rows[0].n;
      expectProblem(await api(t.http).post('/api/v1/posts').set(bearer(a)).send({ body: 'x', attachmentIds: [theirs.id] }), 400, 'invalid_attachment');
      const eleven = Array.from({ length: 11 }, () => randomUUID());
      expectProblem(await api(t.http).post('/api/v1/posts').set(bearer(a)).send({ body: 'x', attachmentIds: eleven }), 400, 'validation_failed');
      expect((await t.superuser.query('SELECT count(*)::int AS n FROM post WHERE org_id = $1', [org.id])).rows[0].n).toBe(before);
    });
  });
});
