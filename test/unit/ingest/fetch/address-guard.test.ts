import { describe, expect, it } from 'vitest';
import { FeedError } from '../../../../src/errors.ts';
import { checkHostAddress, classifyAddress, isAddressAllowed, isPublicAddress } from '../../../../src/ingest/fetch/address-guard.ts';

describe('isPublicAddress', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.15.255.255', // just below 172.16/12
    '172.32.0.1', // just above 172.16/12
    '100.63.255.255', // just below CGNAT
    '100.128.0.1', // just above CGNAT
    '2606:4700:4700::1111',
    '2a00:1450:4001:80e::200e',
    '::ffff:8.8.8.8', // IPv4-mapped public address
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '2002:808:808::1', // 6to4 of 8.8.8.8
  ])('accepts the global unicast address %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'], // cloud metadata
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'], // TEST-NET-1
    ['198.18.0.1', 'reserved'], // benchmarking
    ['192.0.0.9', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'], // AWS metadata over IPv6
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'private'], // deprecated site-local
    ['::ffff:127.0.0.1', 'loopback'], // IPv4-mapped: judged as IPv4
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.5', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'], // NAT64 of 127.0.0.1
    ['64:ff9b::a00:1', 'private'], // NAT64 of 10.0.0.1
    ['64:ff9b:1::a00:1', 'reserved'], // local-use NAT64 prefix
    ['2002:a00:1::1', 'private'], // 6to4 of 10.0.0.1
    ['2002:7f00:1::', 'loopback'], // 6to4 of 127.0.0.1
    ['2001::1', 'reserved'], // Teredo
    ['2001:db8::1', 'reserved'], // documentation
    ['::7f00:1', 'reserved'], // IPv4-compatible (deprecated), outside 2000::/3
    ['100::1', 'reserved'], // discard prefix
    ['4000::1', 'reserved'], // not allocated (outside 2000::/3)
  ])('refuses %s (%s)', (ip, kind) => {
    expect(isPublicAddress(ip)).toBe(false);
    expect(classifyAddress(ip)).toBe(kind);
  });

  it.each(['', 'localhost', 'example.org', '127.1', '0x7f.0.0.1', '2130706433', '1.2.3.4.5', '[::1]', ':::'])(
    'fails closed on %j, which is not a canonical IP address',
    (value) => {
      expect(classifyAddress(value)).toBe('invalid');
      expect(isPublicAddress(value)).toBe(false);
    },
  );
});

describe('isAddressAllowed', () => {
  it('allows every address when private networks are allowed', () => {
    expect(isAddressAllowed('127.0.0.1', { allowPrivateNetworks: true })).toBe(true);
    expect(isAddressAllowed('10.0.0.1', { allowPrivateNetworks: true })).toBe(true);
  });

  it('allows only public addresses otherwise', () => {
    expect(isAddressAllowed('8.8.8.8', { allowPrivateNetworks: false })).toBe(true);
    expect(isAddressAllowed('127.0.0.1', { allowPrivateNetworks: false })).toBe(false);
  });

  it('lets the isAllowedAddress hook open exactly the addresses it names', () => {
    const policy = { allowPrivateNetworks: false, isAllowedAddress: (ip: string) => ip === '127.0.0.1' };
    expect(isAddressAllowed('127.0.0.1', policy)).toBe(true);
    expect(isAddressAllowed('127.0.0.2', policy)).toBe(false);
    expect(isAddressAllowed('10.0.0.1', policy)).toBe(false);
    expect(isAddressAllowed('8.8.8.8', policy)).toBe(true);
  });
});

describe('checkHostAddress', () => {
  const policy = { allowPrivateNetworks: false };

  function blocked(run: () => void): FeedError {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(FeedError);
      return error as FeedError;
    }
    throw new Error('expected a blocked_address FeedError');
  }

  it('passes public addresses', () => {
    expect(() => checkHostAddress('example.org', '93.184.216.34', policy, 'example.org')).not.toThrow();
  });

  it('names the host, the address and the setting for a resolved private address', () => {
    const error = blocked(() => checkHostAddress('intranet.example', '10.0.0.5', policy, 'intranet.example'));
    expect(error.code).toBe('blocked_address');
    expect(error.message).toBe('intranet.example resolves to 10.0.0.5, a private address; set polling.allowPrivateNetworks to allow it');
  });

  it('describes an IP-literal URL without "resolves to"', () => {
    const error = blocked(() => checkHostAddress('http://169.254.169.254', '169.254.169.254', policy));
    expect(error.code).toBe('blocked_address');
    expect(error.message).toBe('http://169.254.169.254 is a link-local address (the cloud metadata endpoint); set polling.allowPrivateNetworks to allow it');
  });

  it('does nothing when private networks are allowed', () => {
    expect(() => checkHostAddress('x', '127.0.0.1', { allowPrivateNetworks: true })).not.toThrow();
  });
});
