/**
 * SigV4 against values AWS publishes, computed by AWS, not by this code:
 * - the signing key of "Examples of how to derive a signing key for Signature Version 4" (AWS General
 *   Reference): secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam;
 * - the signed IAM ListUsers POST of the General Reference's signing walk-through (20110909T233600Z):
 *   its canonical-request hash, string to sign, signing key and signature;
 * - `get-vanilla-query-order-key-case` of AWS's SigV4 test suite (query parameters sorted).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { amzDate, signingKey, signRequest } from './sigv4.js';

const EXAMPLE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('SigV4', () => {
  it('derives the signing key of the documented example', () => {
    assert.equal(signingKey(EXAMPLE.secretAccessKey, '20120215', 'us-east-1', 'iam').toString('hex'), 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
    // The walk-through's key, which the docs list as bytes.
    assert.deepEqual(
      [...signingKey(EXAMPLE.secretAccessKey, '20110909', 'us-east-1', 'iam')],
      [152, 241, 216, 137, 254, 196, 244, 66, 26, 220, 82, 43, 171, 12, 225, 248, 46, 105, 41, 194, 98, 237, 21, 229, 169, 76, 144, 239, 209, 227, 176, 231],
    );
  });

  it('signs the documented IAM ListUsers request', () => {
    const s = signRequest(
      {
        method: 'POST',
        url: 'http://iam.amazonaws.com/',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: 'Action=ListUsers&Version=2010-05-08',
      },
      { credentials: EXAMPLE, region: 'us-east-1', service: 'iam', date: new Date('2011-09-09T23:36:00Z') },
    );
    assert.equal(s.stringToSign, 'AWS4-HMAC-SHA256\n20110909T233600Z\n20110909/us-east-1/iam/aws4_request\n3511de7e95d28ecd39e9513b642aee07e54f4941150d8df8bf94b328ef7e55e2');
    assert.equal(s.signature, 'ced6826de92d2bdeed8f846f0bf508e8559e98e4b0199114b84c54174deb456c');
    assert.equal(
      s.headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ced6826de92d2bdeed8f846f0bf508e8559e98e4b0199114b84c54174deb456c',
    );
    assert.equal(s.headers['x-amz-date'], '20110909T233600Z');
    assert.equal(s.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8');
  });

  it('sorts query parameters (test suite: get-vanilla-query-order-key-case)', () => {
    const s = signRequest(
      { method: 'GET', url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1', headers: {}, body: '' },
      { credentials: EXAMPLE, region: 'us-east-1', service: 'service', date: new Date('2015-08-30T12:36:00Z') },
    );
    assert.equal(s.canonicalRequest.split('\n')[2], 'Param1=value1&Param2=value2');
    assert.equal(
      s.headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
  });

  it('signs a Step Functions request with a session token', () => {
    // The expected signature was computed once with the AWS SDK's own signer (@smithy/signature-v4) for
    // the same request; it is a constant here so that the test does not depend on that package.
    const body = JSON.stringify({ activityArn: 'arn:aws:states:eu-west-1:123456789012:activity:x', workerName: 'w' });
    const s = signRequest(
      {
        method: 'POST',
        url: 'https://states.eu-west-1.amazonaws.com',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AWSStepFunctions.GetActivityTask',
          // The SDK signs the payload hash as a header too; SfnClient does not send it (it is optional).
          'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
        },
        body,
      },
      { credentials: { ...EXAMPLE, sessionToken: 'tok/en+=' }, region: 'eu-west-1', service: 'states', date: new Date('2024-03-01T10:20:30Z') },
    );
    assert.equal(s.headers['x-amz-security-token'], 'tok/en+=');
    assert.equal(
      s.headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240301/eu-west-1/states/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature=a864859fde04427fe6188958344e6dda9486f4a8012d7d3333d2ad502d0f9b39',
    );
  });

  it('a different body, time or secret changes the signature', () => {
    const req = { method: 'POST', url: 'https://states.us-east-1.amazonaws.com', headers: { 'x-amz-target': 'AWSStepFunctions.ListActivities' }, body: '{}' };
    const params = { credentials: EXAMPLE, region: 'us-east-1', service: 'states', date: new Date('2024-01-01T00:00:00Z') };
    const base = signRequest(req, params).signature;
    assert.notEqual(signRequest({ ...req, body: '{ }' }, params).signature, base);
    assert.notEqual(signRequest(req, { ...params, date: new Date('2024-01-01T00:00:01Z') }).signature, base);
    assert.notEqual(signRequest(req, { ...params, credentials: { ...EXAMPLE, secretAccessKey: 'other' } }).signature, base);
    assert.equal(signRequest(req, params).signature, base);
  });

  it('formats X-Amz-Date', () => {
    assert.equal(amzDate(new Date('2015-08-30T12:36:00.123Z')), '20150830T123600Z');
  });
});
