import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

/** `<orgId>/<uuid>`: the only shape of key a store accepts, so no key can climb out of its root. */
const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function attachmentKey(orgId: string, id: string): string {
  return checkedKey(`${orgId}/${id}`);
}

function checkedKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`Not an attachment storage key: ${JSON.stringify(key)}`);
  return key;
}

/**
 * Where attachment bytes live. Keys are made by the server (`attachmentKey`), never from user
 * input. An S3-compatible store implements the same three methods.
 */
export abstract class AttachmentStorage {
  /** Stores the bytes under a new key; readers never see a partly written object. */
  abstract put(key: string, bytes: Buffer): Promise<void>;
  abstract open(key: string): Readable;
  /** Removes the object; removing one that is not there is not an error. */
  abstract remove(key: string): Promise<void>;
}

/** Files under ATTACHMENT_DIR: written to a temporary name, flushed, then renamed into place. */
export class LocalDiskStorage extends AttachmentStorage {
  private readonly root: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    // Same directory as the target, so the rename stays on one filesystem and is atomic.
    const temp = `${target}.${randomUUID()}.tmp`;
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  open(key: string): Readable {
    return createReadStream(this.pathOf(key));
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    return join(this.root, checkedKey(key));
  }
}
