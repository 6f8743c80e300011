import { AppError, AppErrorCode } from '../../core/errors';
import { MICROS_PER_PAISA } from '../../core/money/money';
import { isValidIsoDate } from '../../core/shared/dates';
import { Int64, Money, MoneyOut, TimestampOut } from './wire/common';

/** A wire field's value is wrong; `field` is the wire path. */
export const invalidWireField = (field: string, message: string) => new AppError(AppErrorCode.INVALID_FIELD_VALUE, message, [field]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 from the wire: a decimal string, or a number only if it is a safe integer (larger ones lost precision in JSON). */
export function parseInt64(value: Int64, field: string): bigint {
  let parsed: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalidWireField(field, `${field} must be an integer; send int64 values above 2^53 as strings`);
    parsed = BigInt(value);
  } else {
    if (!/^-?[0-9]{1,19}$/.test(value)) throw invalidWireField(field, `${field} must be a decimal integer string`);
    parsed = BigInt(value);
  }
  if (parsed < INT64_MIN || parsed > INT64_MAX) throw invalidWireField(field, `${field} is outside the int64 range`);
  return parsed;
}

/** A positive INR amount in whole paise. */
export function parseMoney(money: Money, field: string): bigint {
  if (money.currencyCode !== 'INR') throw invalidWireField(`${field}.currencyCode`, 'Only INR is supported');
  const micros = parseInt64(money.amountMicros, `${field}.amountMicros`);
  if (micros <= 0n) throw invalidWireField(`${field}.amountMicros`, `${field} must be positive`);
  if (micros % MICROS_PER_PAISA !== 0n) throw invalidWireField(`${field}.amountMicros`, `${field} must be whole paise (a multiple of 10000 micros)`);
  return micros;
}

export function money(micros: bigint): MoneyOut {
  return { currencyCode: 'INR', amountMicros: micros.toString() };
}

export function timestamp(date: Date): TimestampOut {
  return { epochMillis: String(date.getTime()) };
}

export function parseDate(value: string, field: string): string {
  if (!isValidIsoDate(value)) throw invalidWireField(field, `${field} must be a real calendar date, YYYY-MM-DD`);
  return value;
}

/** A oneof object: exactly one of the named members must be set. */
export function oneOf<K extends string>(value: Partial<Record<K, unknown>>, keys: readonly K[], field: string): K {
  const set = keys.filter((key) => value[key] !== undefined);
  if (set.length === 1) return set[0];
  throw new AppError(
    set.length === 0 ? AppErrorCode.MISSING_REQUIRED_FIELD : AppErrorCode.INVALID_FIELD_VALUE,
    `${field} must set exactly one of ${keys.join(', ')}`,
    [field],
  );
}
