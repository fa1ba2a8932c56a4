import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { ManifestSigner } from './bundle.types.js';

/** The raw 32-byte Ed25519 public key inside an SPKI PEM. */
export function ed25519RawPublicKey(publicKeyPem: string): Buffer {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`Expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
}

/** SHA-256 (hex) of the raw public key: the fingerprint written into manifest.json. */
export function ed25519Fingerprint(publicKeyPem: string): string {
  return createHash('sha256').update(ed25519RawPublicKey(publicKeyPem)).digest('hex');
}

/** A ManifestSigner over an Ed25519 private key held in this process. */
export function ed25519ManifestSigner(privateKey: KeyObject): ManifestSigner {
  const publicKeyPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
  return { fingerprint: ed25519Fingerprint(publicKeyPem), publicKeyPem, sign: (data) => sign(null, data, privateKey) };
}

/** True when `signatureBase64` is a valid Ed25519 signature of `data`; false for anything malformed. */
export function ed25519Verify(publicKeyPem: string, data: Buffer, signatureBase64: string): boolean {
  const text = signatureBase64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  const signature = Buffer.from(text, 'base64');
  if (signature.length !== 64) return false;
  try {
    return verify(null, data, createPublicKey(publicKeyPem), signature);
  } catch {
    return false;
  }
}
