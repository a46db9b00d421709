/**
 * SSRF guard: which IP addresses the fetcher may connect to.
 *
 * Pure functions only; the fetcher calls them from its connector, for every
 * connection it opens (redirect targets included), with the address the socket
 * is about to connect to. The rule is an allow-list: an address is public only
 * when it is global unicast. Everything else (loopback, RFC 1918, link-local and
 * the 169.254.169.254 cloud metadata endpoint, CGNAT, multicast, documentation
 * and benchmarking ranges, IPv6 ULA, ...) is refused unless private networks
 * are allowed.
 */
import ipaddr from 'ipaddr.js';
import { FeedError } from '../../errors.ts';

/** Why an address is, or is not, one the fetcher may connect to. */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade NAT'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'unique-local'
  | 'reserved'
  | 'invalid';

/** How the fetcher decides whether an address may be connected to. */
export interface AddressPolicy {
  /** polling.allowPrivateNetworks: when true, every address is allowed. */
  allowPrivateNetworks: boolean;
  /**
   * Exceptions to the rule, checked before it: addresses for which this returns
   * true are allowed even when private networks are not. Unset in production;
   * tests use it to reach exactly one local test server while every other
   * private address stays blocked.
   */
  isAllowedAddress?: ((address: string) => boolean) | undefined;
}

/** ipaddr.js range names for IPv4, mapped to the words shown to admins. */
const IPV4_RANGE_KINDS: Record<string, AddressKind> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT',
  multicast: 'multicast',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
};

const IPV6_RANGE_KINDS: Record<string, AddressKind> = {
  loopback: 'loopback',
  linkLocal: 'link-local',
  deprecatedSiteLocal: 'private',
  uniqueLocal: 'unique-local',
  multicast: 'multicast',
  unspecified: 'unspecified',
};

/** Classifies one IP address (no brackets; an IPv6 zone id is allowed). */
export function classifyAddress(ip: string): AddressKind {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) {
    return classifyIPv4(ipaddr.IPv4.parse(ip));
  }
  if (ipaddr.IPv6.isValid(ip)) {
    return classifyIPv6(ipaddr.IPv6.parse(ip));
  }
  // Shorthand IPv4 forms ("127.1", "0x7f.1") and anything else: fail closed.
  return 'invalid';
}

/** True when the address is global unicast, i.e. safe to connect to from a server. */
export function isPublicAddress(ip: string): boolean {
  return classifyAddress(ip) === 'public';
}

/** True when the policy lets the fetcher connect to this address. */
export function isAddressAllowed(address: string, policy: AddressPolicy): boolean {
  if (policy.allowPrivateNetworks) return true;
  if (policy.isAllowedAddress?.(address)) return true;
  return isPublicAddress(address);
}

/**
 * Throws FeedError('blocked_address') when the policy forbids connecting to
 * `address`. `target` names what was being fetched (an origin such as
 * "https://example.org:8443"); `resolvedFrom` is the host name when the address
 * came from DNS, and absent when the URL held the IP literal itself.
 */
export function checkHostAddress(target: string, address: string, policy: AddressPolicy, resolvedFrom?: string): void {
  if (isAddressAllowed(address, policy)) return;
  const kind = classifyAddress(address);
  const what = describeKind(kind, address);
  const subject = resolvedFrom === undefined ? `${target} is ${what}` : `${target} resolves to ${address}, ${what}`;
  throw new FeedError('blocked_address', `${subject}; set polling.allowPrivateNetworks to allow it`);
}

function classifyIPv4(address: ipaddr.IPv4): AddressKind {
  return IPV4_RANGE_KINDS[address.range()] ?? 'reserved';
}

function classifyIPv6(address: ipaddr.IPv6): AddressKind {
  const range = address.range();
  const named = IPV6_RANGE_KINDS[range];
  if (named !== undefined) return named;
  switch (range) {
    // ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d: judge that host.
    case 'ipv4Mapped':
      return classifyIPv4(address.toIPv4Address());
    // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): a NAT64 gateway forwards
    // to the embedded IPv4 address. The local-use prefix 64:ff9b:1::/48
    // (RFC 8215) can embed it at several offsets: refuse it.
    case 'rfc6052':
      return isWellKnownNat64(address) ? classifyIPv4(embeddedIPv4(address, 6)) : 'reserved';
    // 6to4 (RFC 3056): 2002:AABB:CCDD::/48 tunnels to the IPv4 host AA.BB.CC.DD.
    case '6to4':
      return classifyIPv4(embeddedIPv4(address, 1));
    case 'unicast':
      // IANA allocates global unicast from 2000::/3 only (RFC 4291 §2.4);
      // the rest of the space, e.g. IPv4-compatible ::a.b.c.d, is not routable.
      return isInGlobalUnicastBlock(address) ? 'public' : 'reserved';
    // teredo (its client address is obfuscated), documentation, benchmarking,
    // discard, ORCHID, AMT, AS112, segment routing, rfc6145...
    default:
      return 'reserved';
  }
}

function isWellKnownNat64(address: ipaddr.IPv6): boolean {
  const [a, b, c, d, e, f] = address.parts;
  return a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0;
}

function isInGlobalUnicastBlock(address: ipaddr.IPv6): boolean {
  return ((address.parts[0] ?? 0) & 0xe000) === 0x2000;
}

/** The IPv4 address held in two 16-bit parts of an IPv6 address, from `index`. */
function embeddedIPv4(address: ipaddr.IPv6, index: number): ipaddr.IPv4 {
  const high = address.parts[index] ?? 0;
  const low = address.parts[index + 1] ?? 0;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The cloud metadata endpoints (AWS, GCP, Azure; AWS over IPv6), named in messages. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

function describeKind(kind: AddressKind, address: string): string {
  const metadata = METADATA_ADDRESSES.has(address) ? ' (the cloud metadata endpoint)' : '';
  switch (kind) {
    case 'public':
      return 'a public address';
    case 'invalid':
      return 'not a valid IP address';
    case 'unspecified':
      return 'the unspecified address';
    case 'broadcast':
      return 'the broadcast address';
    case 'unique-local':
      return `a unique-local (private) IPv6 address${metadata}`;
    case 'reserved':
      return 'a reserved, non-public address';
    default:
      return `a ${kind} address${metadata}`;
  }
}
