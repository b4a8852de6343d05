import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, webcrypto } from "node:crypto";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { atomicWrite } from "./files.ts";

export interface StackTls {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** base64 of caPem, for EKS certificateAuthority.data */
  caData: string;
}

const CA_CERT_FILE = "ca.pem";
const CA_KEY_FILE = "ca-key.pem";
const CA_NAME = "CN=kumulus-ca";
const SERVER_NAME = "CN=kumulus-apiserver";
const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_MS = 10 * 365 * DAY_MS;
const SERVER_VALIDITY_MS = 365 * DAY_MS;
// Backdating tolerates a client whose clock runs a little behind (VMs, containers resumed from sleep).
const BACKDATE_MS = 60 * 60 * 1000;
// P-256 keeps generation in the milliseconds, and Go (kubectl), Python's ssl, OpenSSL and Node all accept it.
const EC_KEY: webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const EC_SIGN: webcrypto.EcdsaParams = { name: "ECDSA", hash: "SHA-256" };

const subtle = webcrypto.subtle;

interface Ca {
  cert: x509.X509Certificate;
  certPem: string;
  key: webcrypto.CryptoKey;
  signing: webcrypto.Algorithm | webcrypto.EcdsaParams;
}

/**
 * Loads the stack's CA from `dir` (ca.pem + ca-key.pem, created once, mode 0600 for the key) or creates it,
 * then issues a fresh server certificate for 127.0.0.1, ::1 and localhost (plus `extraHosts`) signed by it.
 *
 * The server certificate is issued anew at every call rather than cached: it costs a few milliseconds, never
 * goes stale when `extraHosts` change, and its key never touches the disk. Only the CA persists, because
 * kubeconfigs and aws.env written by earlier runs pin it.
 */
export async function loadOrCreateTls(dir: string, extraHosts: string[] = []): Promise<StackTls> {
  await mkdir(dir, { recursive: true });
  const ca = (await loadCa(dir)) ?? (await createCa(dir));
  const { certPem, keyPem } = await issueServerCert(ca, extraHosts);
  return { caPem: ca.certPem, certPem, keyPem, caData: Buffer.from(ca.certPem).toString("base64") };
}

async function loadCa(dir: string): Promise<Ca | undefined> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  let certPem: string;
  let keyPem: string;
  try {
    [certPem, keyPem] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const cert = new x509.X509Certificate(certPem);
  // An expired CA cannot vouch for anything, so pinning it is already broken; a new one is the only way out.
  if (cert.notAfter.getTime() - Date.now() < DAY_MS) return undefined;

  const nodeKey = createPrivateKey(keyPem);
  const spki = createPublicKey(nodeKey).export({ type: "spki", format: "der" });
  if (!Buffer.from(cert.publicKey.rawData).equals(spki)) {
    // Regenerating here would silently invalidate every kubeconfig that pins this CA; make the user choose.
    throw new Error(`${keyPath} does not match ${certPath}; delete both to create a new CA`);
  }
  const { key, signing } = await importSigningKey(nodeKey);
  await tightenMode(keyPath);
  return { cert, certPem: normalizePem(certPem), key, signing };
}

async function importSigningKey(
  nodeKey: KeyObject,
): Promise<{ key: webcrypto.CryptoKey; signing: webcrypto.Algorithm | webcrypto.EcdsaParams }> {
  const der = nodeKey.export({ type: "pkcs8", format: "der" });
  const details = nodeKey.asymmetricKeyDetails ?? {};
  if (nodeKey.asymmetricKeyType === "ec") {
    const curves: Record<string, [string, string]> = {
      prime256v1: ["P-256", "SHA-256"],
      secp384r1: ["P-384", "SHA-384"],
      secp521r1: ["P-521", "SHA-512"],
    };
    const curve = curves[details.namedCurve ?? ""];
    if (curve) {
      const key = await subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: curve[0] }, false, [
        "sign",
      ]);
      return { key, signing: { name: "ECDSA", hash: curve[1] } as webcrypto.EcdsaParams };
    }
  } else if (nodeKey.asymmetricKeyType === "rsa") {
    const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const key = await subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
    return { key, signing: algorithm };
  }
  throw new Error(
    `unsupported CA key type ${nodeKey.asymmetricKeyType} ${details.namedCurve ?? ""}`.trimEnd() +
      "; use ECDSA (P-256/P-384/P-521) or RSA",
  );
}

async function createCa(dir: string): Promise<Ca> {
  const keys = (await subtle.generateKey(EC_KEY, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: CA_NAME,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_VALIDITY_MS),
    keys,
    signingAlgorithm: EC_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = normalizePem(cert.toString("pem"));
  const keyPem = await pkcs8Pem(keys.privateKey);
  // Key first: a reader that finds ca.pem can rely on its key already being in place.
  await atomicWrite(join(dir, CA_KEY_FILE), keyPem, 0o600);
  await atomicWrite(join(dir, CA_CERT_FILE), certPem, 0o644);
  return { cert, certPem, key: keys.privateKey, signing: EC_SIGN };
}

async function issueServerCert(ca: Ca, extraHosts: string[]): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await subtle.generateKey(EC_KEY, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const names = new Map<string, x509.JsonGeneralName>();
  for (const host of ["127.0.0.1", "::1", "localhost", ...extraHosts]) {
    // URL-style "[::1]" would otherwise land in the certificate as a DNS name that never matches.
    const h = host.trim().replace(/^\[(.*)\]$/, "$1");
    if (!h) continue;
    const type = isIP(h) ? "ip" : "dns";
    names.set(`${type}:${h.toLowerCase()}`, { type, value: h });
  }
  const caKeyId = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    // The Name object (not its string form) keeps the CA subject's exact DER; Go matches issuers bytewise.
    issuer: ca.cert.subjectName,
    subject: SERVER_NAME,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + SERVER_VALIDITY_MS, ca.cert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ca.signing,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...names.values()]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      caKeyId
        ? new x509.AuthorityKeyIdentifierExtension(caKeyId)
        : await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  return { certPem: normalizePem(cert.toString("pem")), keyPem: await pkcs8Pem(keys.privateKey) };
}

/** 16 random bytes, top bit clear so the DER INTEGER stays positive (RFC 5280 §4.1.2.2). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString("hex");
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await subtle.exportKey("pkcs8", key);
  return normalizePem(x509.PemConverter.encode(der, "PRIVATE KEY"));
}

function normalizePem(pem: string): string {
  return `${pem.replace(/\r\n/g, "\n").trim()}\n`;
}

async function tightenMode(path: string): Promise<void> {
  try {
    const { mode } = await stat(path);
    if (mode & 0o077) await chmod(path, 0o600);
  } catch {
    // A key owned by someone else still works for signing; permissions are that owner's call.
  }
}
