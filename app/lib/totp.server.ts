// Time-based one-time passwords (RFC 6238) for staff sign-in, over the Oslo
// packages (ADR 0026): 30-second steps, 6 digits, SHA-1 as every authenticator
// app expects. Verification accepts the step before and after the current one
// (a phone's clock a little off) and says which step matched, so the caller
// can refuse a code whose step was already used.
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import QRCode from "qrcode";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that still count. */
const WINDOW = 1;

/** A new secret: 160 bits, as base32 (what authenticator apps show for typing in). */
export function newTotpSecret(): string {
  const key = new Uint8Array(20);
  crypto.getRandomValues(key);
  return encodeBase32UpperCaseNoPadding(key);
}

export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a step (tests, and nothing else, need to make one). */
export function totpCode(secret: string, step: number): string {
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), TOTP_DIGITS);
}

/**
 * The step `code` is valid for, near `nowMs`, or null. Spaces in the code are
 * ignored (apps show "123 456").
 */
export function matchTotp(secret: string, code: string, nowMs: number): number | null {
  const typed = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(typed)) return null;
  const key = decodeBase32IgnorePadding(secret);
  const enc = new TextEncoder();
  const current = totpStep(nowMs);
  for (let step = current - WINDOW; step <= current + WINDOW; step++) {
    const expected = generateHOTP(key, BigInt(step), TOTP_DIGITS);
    if (constantTimeEqual(enc.encode(expected), enc.encode(typed))) return step;
  }
  return null;
}

/** The `otpauth://` address an authenticator app reads (shown as text and as a QR code). */
export function totpUri(issuer: string, accountName: string, secret: string): string {
  return createTOTPKeyURI(issuer, accountName, decodeBase32IgnorePadding(secret), TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The QR code of `uri` as an SVG document (no script, no external reference). */
export function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}
