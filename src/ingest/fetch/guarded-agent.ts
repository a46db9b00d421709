/**
 * The undici Agent every request goes through, with the SSRF guard wired into its
 * connector (the rules themselves are in address-guard.ts).
 */
import type { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { checkHostAddress, type AddressPolicy } from './address-guard.ts';
import type { Settings } from './settings.ts';

export function createAgent(settings: Settings): Agent {
  return new Agent({
    connect: createGuardedConnector(settings),
    headersTimeout: settings.phaseTimeoutMs,
    bodyTimeout: settings.phaseTimeoutMs, // an idle gap between chunks, not a total: the deadline covers that
    // Defence in depth behind our own streaming count (see readBody in response-body.ts).
    maxResponseSize: settings.maxBytes,
  });
}

/**
 * undici's connector with the address check in front of it. Host names are
 * checked inside DNS resolution (the guarded lookup), so the socket connects to
 * exactly the addresses that were checked: no second resolution to rebind.
 * IP-literal hosts skip DNS, so they are checked here.
 */
function createGuardedConnector(settings: Settings): buildConnector.connector {
  const { policy } = settings;
  const connect = buildConnector({
    lookup: policy.allowPrivateNetworks ? settings.lookup : guardLookup(settings.lookup, policy),
    timeout: settings.phaseTimeoutMs,
  });
  if (policy.allowPrivateNetworks) return connect;
  return (options, callback) => {
    const host = stripBrackets(options.hostname);
    if (isIP(host) !== 0) {
      try {
        checkHostAddress(`${options.protocol}//${options.host ?? options.hostname}`, host, policy);
      } catch (error) {
        callback(error as Error, null);
        return;
      }
    }
    connect(options, callback);
  };
}

/**
 * Wraps a dns.lookup so every address it returns is checked. net.connect calls
 * it with `all: true` when it races IPv4 and IPv6 (autoSelectFamily, the Node 20
 * default): then every address must pass, so a name cannot smuggle a private
 * address in next to a public one.
 */
function guardLookup(lookup: typeof dnsLookup, policy: AddressPolicy): LookupFunction {
  type LooseCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;
  const looseLookup = lookup as unknown as (hostname: string, options: object, callback: LooseCallback) => void;
  return ((hostname: string, options: object, callback: LooseCallback) => {
    looseLookup(hostname, options, (error, address, family) => {
      if (error) {
        callback(error, address, family);
        return;
      }
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      try {
        for (const candidate of addresses) checkHostAddress(hostname, candidate, policy, hostname);
      } catch (blocked) {
        callback(blocked as Error, address, family);
        return;
      }
      callback(null, address, family);
    });
  }) as unknown as LookupFunction;
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
