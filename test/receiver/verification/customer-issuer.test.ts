import { describe, expect, it } from 'vitest';

import { customerAccountUrl, customerIssuer, issuerBelongsToAccount } from '../../../src/receiver/verification/customer-issuer.js';
import { expectCode } from './helpers.js';

const PROVIDER = { providerAccountUrl: 'https://prov.xurrent.com' };
const SIMULATOR = { accountUrlPattern: 'http://127.0.0.1:4010/accounts/{account}' };

describe('customerIssuer', () => {
  it('derives from the provider account URL', () => {
    expect(customerIssuer({ customerAccountId: 'wdc', ...PROVIDER })).toBe('https://wdc.xurrent.com');
  });

  it('keeps region labels', () => {
    const issuer = customerIssuer({ customerAccountId: 'wdc', providerAccountUrl: 'https://prov.us.xurrent.com' });
    expect(issuer).toBe('https://wdc.us.xurrent.com');
  });

  it('keeps the port', () => {
    const issuer = customerIssuer({ customerAccountId: 'wdc-test', providerAccountUrl: 'http://prov.xurrent.test:8080/' });
    expect(issuer).toBe('http://wdc-test.xurrent.test:8080');
  });

  it('prefers the delivered issuer', () => {
    const issuer = customerIssuer({ deliveredIssuer: 'https://my-custom-desk.com', customerAccountId: 'wdc', ...PROVIDER });
    expect(issuer).toBe('https://my-custom-desk.com');
  });

  it('ignores a null delivered issuer', () => {
    expect(customerIssuer({ deliveredIssuer: null, customerAccountId: 'wdc', ...PROVIDER })).toBe('https://wdc.xurrent.com');
  });

  it('fills an account URL pattern', () => {
    expect(customerIssuer({ customerAccountId: 'wdc', ...SIMULATOR })).toBe('http://127.0.0.1:4010/accounts/wdc');
  });

  it('prefers the pattern over the URL', () => {
    const issuer = customerIssuer({ customerAccountId: 'wdc', ...PROVIDER, ...SIMULATOR });
    expect(issuer).toBe('http://127.0.0.1:4010/accounts/wdc');
  });

  it('rejects an IP provider URL', async () => {
    const error = await expectCode(
      () => customerIssuer({ customerAccountId: 'wdc', providerAccountUrl: 'http://127.0.0.1:4010/accounts/prov' }),
      'XAC_ACCOUNT_URL_INVALID',
    );
    expect(error.message).toContain('Pass accountUrlPattern instead');
    expect(error.status).toBe(500);
  });

  it('rejects a two-label provider host', async () => {
    await expectCode(
      () => customerIssuer({ customerAccountId: 'wdc', providerAccountUrl: 'https://xurrent.com' }),
      'XAC_ACCOUNT_URL_INVALID',
    );
  });

  it('rejects a pattern without placeholder', async () => {
    await expectCode(
      () => customerIssuer({ customerAccountId: 'wdc', accountUrlPattern: 'http://127.0.0.1:4010/accounts/' }),
      'XAC_ACCOUNT_URL_INVALID',
    );
  });

  it('rejects missing URL options', async () => {
    await expectCode(() => customerIssuer({ customerAccountId: 'wdc' }), 'XAC_ACCOUNT_URL_INVALID');
  });

  it('rejects an account id with a dot', async () => {
    const error = await expectCode(() => customerIssuer({ customerAccountId: 'evil.example', ...PROVIDER }), 'XAC_ACCOUNT_ID_INVALID');
    expect(error.status).toBe(400);
  });

  it('rejects an account id with a slash', async () => {
    await expectCode(() => customerIssuer({ customerAccountId: 'evil.example/x', ...SIMULATOR }), 'XAC_ACCOUNT_ID_INVALID');
  });

  it('rejects an uppercase account id', async () => {
    await expectCode(() => customerIssuer({ customerAccountId: 'WDC', ...PROVIDER }), 'XAC_ACCOUNT_ID_INVALID');
  });

  it('rejects a trailing hyphen', async () => {
    await expectCode(() => customerIssuer({ customerAccountId: 'wdc-', ...PROVIDER }), 'XAC_ACCOUNT_ID_INVALID');
  });

  it('rejects a bad id beside a delivered issuer', async () => {
    await expectCode(
      () => customerIssuer({ deliveredIssuer: 'https://my-custom-desk.com', customerAccountId: 'evil.example', ...PROVIDER }),
      'XAC_ACCOUNT_ID_INVALID',
    );
  });

  it('rejects a delivered issuer that is no URL', async () => {
    await expectCode(
      () => customerIssuer({ deliveredIssuer: 'my-custom-desk.com', customerAccountId: 'wdc', ...PROVIDER }),
      'XAC_POLICY_ISSUER_INVALID',
    );
  });
});

describe('customerAccountUrl', () => {
  it('builds the default account URL', () => {
    expect(customerAccountUrl('widget', PROVIDER)).toBe('https://widget.xurrent.com');
  });
});

describe('issuerBelongsToAccount', () => {
  const storedPolicy = { customerAccountId: 'wdc', issuer: 'https://my-custom-desk.com' };

  it('accepts the default account URL', () => {
    expect(issuerBelongsToAccount('https://wdc.xurrent.com', 'wdc', PROVIDER)).toBe(true);
  });

  it('accepts the simulator account URL', () => {
    expect(issuerBelongsToAccount('http://127.0.0.1:4010/accounts/wdc', 'wdc', SIMULATOR)).toBe(true);
  });

  it("rejects another account's URL", () => {
    expect(issuerBelongsToAccount('https://widget.xurrent.com', 'wdc', PROVIDER)).toBe(false);
  });

  it("rejects the provider's URL", () => {
    expect(issuerBelongsToAccount('https://prov.xurrent.com', 'wdc', PROVIDER)).toBe(false);
  });

  it('rejects a longer host', () => {
    expect(issuerBelongsToAccount('https://wdc.xurrent.com.evil.example', 'wdc', PROVIDER)).toBe(false);
  });

  it('rejects a trailing slash', () => {
    expect(issuerBelongsToAccount('https://wdc.xurrent.com/', 'wdc', PROVIDER)).toBe(false);
  });

  it("accepts the customer's stored issuer", () => {
    expect(issuerBelongsToAccount('https://my-custom-desk.com', 'wdc', { ...PROVIDER, storedPolicy })).toBe(true);
  });

  it("rejects another customer's stored issuer", () => {
    expect(issuerBelongsToAccount('https://my-custom-desk.com', 'widget', { ...PROVIDER, storedPolicy })).toBe(false);
  });

  it('rejects a custom issuer without policy', () => {
    expect(issuerBelongsToAccount('https://my-custom-desk.com', 'wdc', PROVIDER)).toBe(false);
  });

  it('rejects an invalid account id', () => {
    expect(issuerBelongsToAccount('https://wdc.xurrent.com', 'wdc.xurrent.com#', PROVIDER)).toBe(false);
  });

  it('rejects an empty issuer', () => {
    expect(issuerBelongsToAccount('', 'wdc', PROVIDER)).toBe(false);
  });
});
