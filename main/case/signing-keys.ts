/**
 * Each examiner's Ed25519 key pair, kept in the examiner's own configuration folder (never in a
 * case folder): $ACSR_HOME/keys, else $XDG_CONFIG_HOME/acsr-workstation/keys, else
 * ~/.config/acsr-workstation/keys. Made on first use; the private key file is readable by its
 * owner only (0600), and a key file that others can read is refused, as ssh does.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';
import { sha256Hex } from '../io/hashing.ts';

export function configHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ACSR_HOME) return env.ACSR_HOME;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'acsr-workstation');
}

export interface ExaminerKey {
  privateKey: KeyObject;
  /** Base64 of the DER SubjectPublicKeyInfo: what the case records. */
  publicKey: string;
  /** SHA-256 (hex) of that DER: what checkpoints and reports name. */
  fingerprint: string;
  file: string;
}

export function publicKeyFingerprint(publicKeyBase64: string): string {
  return sha256Hex(Buffer.from(publicKeyBase64, 'base64'));
}

export function publicKeyFrom(publicKeyBase64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
}

/** One file per examiner name; the hash keeps names that differ only in case or punctuation apart. */
export function keyFileOf(examiner: string, home = configHome()): string {
  const slug =
    examiner
      .normalize('NFC')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 40) || 'examiner';
  const digest = sha256Hex(examiner.normalize('NFC')).slice(0, 16);
  return join(home, 'keys', `${slug}-${digest}.ed25519.pem`);
}

/** The examiner's key on this machine, made now if there is none yet. */
export function examinerKey(examiner: string, home = configHome()): ExaminerKey {
  const file = keyFileOf(examiner, home);
  mkdirSync(join(home, 'keys'), { recursive: true, mode: 0o700 });
  let pem: string;
  try {
    pem = readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    pem = createKeyFile(file);
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new UserInputError(`${file} is not an Ed25519 private key`);
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  return { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey), file };
}

function readKeyFile(file: string): string {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new UserInputError(`${file}: the signing key can be read by other users (mode ${mode.toString(8)}); make it private with chmod 600`);
  }
  return readFileSync(file, 'utf8');
}

function createKeyFile(file: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  let descriptor: number;
  try {
    // 'wx': two processes making the same examiner's first key at once keep the first one.
    descriptor = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw error;
  }
  try {
    writeSync(descriptor, pem);
  } finally {
    closeSync(descriptor);
  }
  return pem;
}
