import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { importPolicyKey, parsePolicyAlgorithm } from '../../receiver/verification/policy.js';
import { withStore } from '../runtime-env.js';

interface PolicySetOptions {
  publicKey: string;
  algorithm: string;
  issuer: string;
  audience?: string;
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('the provider webhook policy that verifies secrets-update and app_instance deliveries');

  policy
    .command('set')
    .description('store a provider policy created in Xurrent\'s UI')
    .requiredOption('--public-key <file>', 'PEM file with the policy\'s public key (a private key PEM is accepted; only its public half is stored)')
    .requiredOption('--algorithm <alg>', 'RS256, RS384, RS512, ES256, ES384 or ES512')
    .requiredOption('--issuer <url>', 'the provider account URL, e.g. https://acme.xurrent.com')
    .option('--audience <text>', 'the policy\'s audience, when it has one')
    .action(async (options: PolicySetOptions) => {
      const algorithm = parsePolicyAlgorithm(options.algorithm.toUpperCase());
      let pem: string;
      try {
        pem = readFileSync(options.publicKey, 'utf8');
      } catch (error) {
        throw new ConfigError(`cannot read --public-key ${options.publicKey}: ${(error as Error).message}`);
      }
      let issuerUrl: URL;
      try {
        issuerUrl = new URL(options.issuer);
      } catch {
        throw new ConfigError(`--issuer ${options.issuer} is not a URL; use the provider account URL, e.g. https://acme.xurrent.com`);
      }
      if (issuerUrl.protocol !== 'https:' && issuerUrl.protocol !== 'http:') {
        throw new ConfigError(`--issuer ${options.issuer} must be an http or https URL`);
      }
      const issuer = options.issuer.replace(/\/$/, '');
      const key = importPolicyKey(pem, algorithm);
      await withStore(
        (store) =>
          store.setProviderPolicy({
            algorithm,
            publicKeyPem: key.publicKeyPem,
            issuer,
            audience: options.audience ?? null,
            source: 'manual',
            updatedAt: new Date(),
          }),
        { mustExist: false },
      );
      if (key.derivedFromPrivateKey) {
        console.log('The PEM contains a private key, so only the public key derived from it was stored. Delete the private key file.');
      }
      console.log(`Provider policy stored: ${algorithm}, issuer ${issuer}${options.audience ? `, audience ${options.audience}` : ''}`);
    });

  policy
    .command('show')
    .description('print the stored provider policy')
    .action(async () => {
      const stored = await withStore((store) => store.getProviderPolicy());
      if (!stored) {
        console.log('No provider policy stored; run `xac policy set` or `xac provision`.');
        return;
      }
      console.log(JSON.stringify({ ...stored, updatedAt: stored.updatedAt.toISOString() }, null, 2));
    });
}
