import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

// The settings of the user's AWS profile that the SDK for JavaScript does not apply by itself (ca_bundle) or
// that the CLI needs to know explicitly (endpoint_url, for the STS token and the cost extension). Read from
// the same files, with the same precedence, as the aws CLI.

export interface ProfileSettings {
  region?: string;
  endpointUrl?: string;
  caBundle?: string;
}

/** INI sections of an AWS config file: name → key → value (sub-sections such as `services` are skipped). */
export function parseIni(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = {};
      sections.set(header[1].trim(), current);
      continue;
    }
    // Indented lines continue a nested key (`s3 =\n  addressing_style = path`): not ours.
    if (!current || /^\s/.test(raw)) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return sections;
}

function readIni(file: string): Map<string, Record<string, string>> {
  try {
    return existsSync(file) ? parseIni(readFileSync(file, "utf8")) : new Map();
  } catch {
    return new Map();
  }
}

export function profileName(flag?: string): string {
  return flag || process.env.AWS_PROFILE || process.env.AWS_DEFAULT_PROFILE || "default";
}

export function profileSettings(profile: string): ProfileSettings {
  const configFile = process.env.AWS_CONFIG_FILE ?? path.join(homedir(), ".aws", "config");
  const config = readIni(configFile);
  const section = config.get(profile === "default" ? "default" : `profile ${profile}`) ?? {};
  return {
    region: section.region,
    endpointUrl: section.endpoint_url,
    caBundle: section.ca_bundle,
  };
}
