import { isIP } from 'node:net';

import { ACCOUNT_PLACEHOLDER, isValidAccountId } from '../../xurrent/environments.js';
import { VerificationError, quoteUntrusted } from './errors.js';

/**
 * Source of customer account URLs: a pattern such as
 * `http://127.0.0.1:8080/accounts/{account}` (used by the simulator), or the provider's
 * account URL such as `https://prov.xurrent.com`, whose first host label is the account id.
 * The pattern wins when both are given.
 */
export interface AccountUrlOptions {
  providerAccountUrl?: string;
  accountUrlPattern?: string;
}

export interface CustomerIssuerInput extends AccountUrlOptions {
  /** `issuer` of the policy block in the customer's secrets-update delivery, present for custom domains. */
  deliveredIssuer?: string | null;
  customerAccountId: string;
}

/** Customer webhook policy as stored, with the account it was delivered for. */
export interface StoredCustomerPolicy {
  customerAccountId: string;
  issuer: string;
}

export interface IssuerOwnershipOptions extends AccountUrlOptions {
  storedPolicy?: StoredCustomerPolicy | null;
}

/**
 * Returns whether `value` is an account id as Xurrent writes it in URLs: a DNS label in lower
 * case. The id ends up in a host name and is compared with `iss` exactly, so nothing else may pass.
 */
function isCustomerAccountId(value: unknown): value is string {
  return typeof value === 'string' && isValidAccountId(value) && value === value.toLowerCase();
}

/**
 * Returns the issuer of a customer's webhook policy: the delivered `issuer` when Xurrent
 * sent one (custom domain), else the customer's default account URL. The default URL is
 * built in both cases, so an invalid account id or unusable account URL options throw
 * even when an issuer was delivered.
 */
export function customerIssuer(input: CustomerIssuerInput): string {
  const defaultIssuer = customerAccountUrl(input.customerAccountId, input);
  const delivered = input.deliveredIssuer;
  if (delivered !== undefined && delivered !== null && delivered !== '') {
    if (!isHttpUrl(delivered)) {
      throw new VerificationError(
        'XAC_POLICY_ISSUER_INVALID',
        `Delivered policy issuer ${quoteUntrusted(delivered)} is not an http or https URL. ` +
          'Xurrent sends the URL of the customer account, so check the secrets-update delivery.',
      );
    }
    return delivered;
  }
  return defaultIssuer;
}

/**
 * Builds a customer's default account URL, which is also the default issuer of its policy:
 * `https://wdc.xurrent.com` for customer `wdc` and provider `https://prov.xurrent.com`.
 */
export function customerAccountUrl(customerAccountId: string, options: AccountUrlOptions): string {
  if (!isCustomerAccountId(customerAccountId)) {
    throw new VerificationError(
      'XAC_ACCOUNT_ID_INVALID',
      `Customer account id ${quoteUntrusted(customerAccountId)} is invalid. An account id has 1 to 63 lowercase ` +
        'letters, digits and hyphens, and starts and ends with a letter or digit. Check the customer_account_id query parameter of the webhook URI.',
    );
  }

  if (options.accountUrlPattern !== undefined) {
    return fromPattern(customerAccountId, options.accountUrlPattern);
  }
  if (options.providerAccountUrl !== undefined) {
    return fromProviderAccountUrl(customerAccountId, options.providerAccountUrl);
  }
  throw new VerificationError(
    'XAC_ACCOUNT_URL_INVALID',
    'Neither providerAccountUrl nor accountUrlPattern is set, so no customer account URL can be built. ' +
      'Configure the provider account URL, such as https://prov.xurrent.com.',
  );
}

/**
 * Returns whether `issuer` may sign tokens for `customerAccountId`.
 *
 * The rule: the issuer must equal the customer's default account URL, or the issuer of
 * the policy stored for that same customer account (a custom domain delivered by Xurrent).
 * Comparison is exact, with no prefix or domain matching, so a policy stored for one
 * customer can never vouch for another account. An invalid account id returns false.
 * Throws XAC_ACCOUNT_URL_INVALID when the account URL options are unusable.
 */
export function issuerBelongsToAccount(issuer: string, customerAccountId: string, options: IssuerOwnershipOptions): boolean {
  if (typeof issuer !== 'string' || issuer === '') {
    return false;
  }
  if (!isCustomerAccountId(customerAccountId)) {
    return false;
  }

  if (issuer === customerAccountUrl(customerAccountId, options)) {
    return true;
  }

  const stored = options.storedPolicy;
  return stored !== undefined && stored !== null && stored.customerAccountId === customerAccountId && stored.issuer === issuer;
}

function fromPattern(customerAccountId: string, pattern: string): string {
  if (!pattern.includes(ACCOUNT_PLACEHOLDER)) {
    throw new VerificationError(
      'XAC_ACCOUNT_URL_INVALID',
      `Account URL pattern ${quoteUntrusted(pattern)} does not contain ${ACCOUNT_PLACEHOLDER}. ` +
        `Write it like http://127.0.0.1:8080/accounts/${ACCOUNT_PLACEHOLDER}.`,
    );
  }

  const url = pattern.replaceAll(ACCOUNT_PLACEHOLDER, customerAccountId);
  if (!isHttpUrl(url)) {
    throw new VerificationError(
      'XAC_ACCOUNT_URL_INVALID',
      `Account URL pattern ${quoteUntrusted(pattern)} does not give an http or https URL. ` +
        `Write it like https://${ACCOUNT_PLACEHOLDER}.xurrent.com.`,
    );
  }
  return url;
}

function fromProviderAccountUrl(customerAccountId: string, providerAccountUrl: string): string {
  let url: URL;
  try {
    url = new URL(providerAccountUrl);
  } catch {
    throw new VerificationError(
      'XAC_ACCOUNT_URL_INVALID',
      `Provider account URL ${quoteUntrusted(providerAccountUrl)} is not a URL. Set it like https://prov.xurrent.com.`,
    );
  }

  const labels = url.hostname.split('.');
  const hasAccountLabel = isIP(url.hostname) === 0 && labels.length >= 3 && (url.pathname === '/' || url.pathname === '');
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !hasAccountLabel) {
    throw new VerificationError(
      'XAC_ACCOUNT_URL_INVALID',
      `Provider account URL ${quoteUntrusted(providerAccountUrl)} is not of the form https://<account>.<domain>, ` +
        `so customer account URLs cannot be derived from it. Pass accountUrlPattern instead, such as ` +
        `http://127.0.0.1:8080/accounts/${ACCOUNT_PLACEHOLDER}.`,
    );
  }

  const host = [customerAccountId, ...labels.slice(1)].join('.');
  const port = url.port === '' ? '' : `:${url.port}`;
  return `${url.protocol}//${host}${port}`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
