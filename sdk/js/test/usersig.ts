// TLS-Sig v2 UserSig signing for the tests (internal/usersig/sign.go):
// HMAC-SHA256 under the secret key over the content string, a JSON token,
// zlib, base64 with '+'→'*', '/'→'-', '='→'_'. A real app signs on its
// server: the secret key signs for every user.
import { createHmac } from "node:crypto";
import { deflateSync } from "node:zlib";

export function userSig(sdkAppID: number, secretKey: string, identifier: string, expireSeconds = 86400, now = Math.floor(Date.now() / 1000)): string {
  const content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkAppID}\nTLS.time:${now}\nTLS.expire:${expireSeconds}\n`;
  const sig = createHmac("sha256", secretKey).update(content).digest("base64");
  const token = {
    "TLS.ver": "2.0",
    "TLS.identifier": identifier,
    "TLS.sdkappid": sdkAppID,
    "TLS.expire": expireSeconds,
    "TLS.time": now,
    "TLS.sig": sig,
  };
  const z = deflateSync(Buffer.from(JSON.stringify(token)));
  return z.toString("base64").replace(/\+/g, "*").replace(/\//g, "-").replace(/=/g, "_");
}
