import { existsSync } from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';

/**
 * Names this project read before it used @temporalio/envconfig, and the standard names (the ones the temporal CLI
 * and every SDK read) that replace them. Accepted for one release with a startup warning; the standard name wins.
 */
export const DEPRECATED_TEMPORAL_ALIASES = {
  TEMPORAL_TLS_CERT: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

export interface TemporalSettings {
  /** The variables with every alias renamed to its standard name (what the env schema validates). */
  vars: Record<string, string>;
  /** envconfig's profile: the TOML file's profile, each TEMPORAL_* variable overriding its field. */
  profile: ClientConfigProfile;
  /** Deprecations to log at startup (loadEnv has no logger yet). */
  warnings: string[];
}

const invalid = (name: string, message: string) => new Error(`Invalid configuration:\n  ${name}: ${message}`);

/** Renames today's aliases to the standard names; the standard one wins when both are set. */
function applyAliases(vars: Record<string, string>, warnings: string[]): Record<string, string> {
  const out = { ...vars };
  for (const [alias, standard] of Object.entries(DEPRECATED_TEMPORAL_ALIASES)) {
    if (out[alias] === undefined) continue;
    if (out[standard] === undefined) {
      out[standard] = out[alias];
      warnings.push(`${alias} is deprecated and will be removed in the next release: rename it to ${standard}`);
    } else {
      warnings.push(`${alias} is deprecated and ignored because ${standard} is also set: remove ${alias}`);
    }
    delete out[alias];
  }
  // Before envconfig, TEMPORAL_TLS=false was the .env.example default meaning "no TLS unless credentials ask for it";
  // in the standard it turns TLS off, which would send an API key or a client key's handshake in clear text. For this
  // release an explicit false next to env credentials keeps the old meaning.
  const credentials = out.TEMPORAL_API_KEY ?? out.TEMPORAL_TLS_CLIENT_CERT_PATH ?? out.TEMPORAL_TLS_CLIENT_CERT_DATA;
  if (out.TEMPORAL_TLS === 'false' && credentials !== undefined) {
    warnings.push(
      'TEMPORAL_TLS=false next to an API key or client certificate is ignored for this release (TLS stays on, as before); ' +
        'in the next release it turns TLS off as the standard says: remove the line',
    );
    delete out.TEMPORAL_TLS;
  }
  return out;
}

/**
 * Resolves the Temporal connection settings the standard way (@temporalio/envconfig): the profile TEMPORAL_PROFILE
 * (default "default") of the TOML file at TEMPORAL_CONFIG_FILE (default ~/.config/temporalio/temporal.toml), each
 * field overridden by its TEMPORAL_* variable. `vars` is the whole environment: nothing is read from process.env.
 */
export function resolveTemporalSettings(vars: Record<string, string>): TemporalSettings {
  const warnings: string[] = [];
  const resolved = applyAliases(vars, warnings);
  // envconfig ignores a missing file, which would hide a typo in an explicitly named one.
  if (resolved.TEMPORAL_CONFIG_FILE !== undefined && !existsSync(resolved.TEMPORAL_CONFIG_FILE)) {
    throw invalid('TEMPORAL_CONFIG_FILE', `${resolved.TEMPORAL_CONFIG_FILE} does not exist`);
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: resolved });
  } catch (err) {
    const where = resolved.TEMPORAL_CONFIG_FILE ?? 'the default temporal.toml (~/.config/temporalio/temporal.toml)';
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw invalid(
      'TEMPORAL_CONFIG_FILE',
      `${where}${resolved.TEMPORAL_PROFILE ? ` (profile ${resolved.TEMPORAL_PROFILE})` : ''}: ${message}`,
    );
  }
  // envconfig drops a certificate without its key silently: the connection would then fail the mTLS handshake.
  if (Boolean(profile.tls?.clientCert) !== Boolean(profile.tls?.clientKey)) {
    throw invalid(
      'TEMPORAL_TLS_CLIENT_CERT_* and TEMPORAL_TLS_CLIENT_KEY_*',
      'give both (an mTLS client certificate needs its key) or neither, in the environment or the profile',
    );
  }
  return { vars: resolved, profile, warnings };
}
