import type { Command } from 'commander';
import { checkPassed, checkProvider, formatProviderCheck } from '../../provisioning/check.js';
import { connectionSettingsFromEnv } from '../runtime-env.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      "check the provider's OAuth application (XAC_PROVIDER_*): get a token, list its scopes, name the missing ones " +
        'and print a link to create an application with all of them; exits 1 when anything is missing',
    )
    .action(async () => {
      const settings = connectionSettingsFromEnv(process.env);
      for (const warning of settings.warnings) console.log(`Warning: ${warning}`);

      const check = await checkProvider(settings);
      for (const line of formatProviderCheck(check, settings)) console.log(line);
      if (settings.publicUrl === undefined) {
        console.log('Note: XAC_PUBLIC_URL is not set; xac provision needs it.');
      }
      process.exitCode = checkPassed(check) ? 0 : 1;
    });
}
