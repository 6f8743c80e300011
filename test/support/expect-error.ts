import request from 'supertest';

/** The answer is the partner API's error envelope with this HTTP status and codes, and no data. */
export function expectError(res: request.Response, status: number, errorResponseCode: string, paymentIntegratorErrorCode?: string) {
  expect({ status: res.status, errorResponseCode: res.body.errorResponse?.errorResponseCode }).toEqual({ status, errorResponseCode });
  expect(res.body.data).toBeUndefined();
  expect(res.body.errorResponse.errorDescription).toEqual(expect.any(String));
  if (paymentIntegratorErrorCode) expect(res.body.errorResponse.paymentIntegratorErrorCode).toBe(paymentIntegratorErrorCode);
}
