/**
 * Where event pushes may go. An event URL is set by whoever configures an app, and shenpi then POSTs to it:
 * without a policy that is a way to make the server reach its own network (the cloud metadata address,
 * a database port, ...). Only http(s) URLs are taken; outside emulator mode, addresses on the loopback,
 * private, link-local (the metadata address among them) and other non-public ranges are refused unless
 * SHENPI_ALLOW_PRIVATE_EVENT_URLS says otherwise; emulator mode allows the loopback, where tests run their
 * receivers. Host names are checked after DNS resolution, when the URL is set and again at every send
 * (the send connects to the very address that was checked, so a name cannot resolve elsewhere in between).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export interface EventUrlRules {
  /** Emulator mode: receivers on the loopback are the tests' own. */
  allowLoopback: boolean;
  /** SHENPI_ALLOW_PRIVATE_EVENT_URLS: any address at all (a receiver inside a private network). */
  allowPrivate: boolean;
}

/** The URL may never be pushed to; the message says why. */
export class EventUrlRefused extends Error {
  override name = 'EventUrlRefused';
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Not public: unspecified, private, carrier-grade NAT, link-local (169.254.169.254), multicast, reserved. */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export class EventUrlPolicy {
  constructor(private readonly rules: EventUrlRules) {}

  /** Why pushing to this address is refused, or undefined when it is allowed. */
  refusal(rawAddress: string): string | undefined {
    if (this.rules.allowPrivate) return undefined;
    const { address, family } = unmapped(rawAddress);
    if (LOOPBACK.check(address, family)) {
      return this.rules.allowLoopback ? undefined : `${rawAddress} is a loopback address`;
    }
    if (NON_PUBLIC.check(address, family)) return `${rawAddress} is a private, link-local or reserved address`;
    return undefined;
  }

  /** Checks a URL when it is set: http(s) only, and no refused address among those its host resolves to. */
  async check(url: string): Promise<void> {
    const { protocol, hostname } = this.parse(url);
    if (protocol !== 'http:' && protocol !== 'https:') throw new EventUrlRefused(`the event URL must be http or https, not ${protocol}`);
    const host = hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : (await lookupAll(host)).map((a) => a.address);
    } catch {
      // A name that does not resolve today may later; every send checks it again.
      return;
    }
    for (const address of addresses) {
      const why = this.refusal(address);
      if (why) throw new EventUrlRefused(`the event URL's host ${host} is refused: ${why}`);
    }
  }

  /**
   * The DNS look-up a send uses: it resolves the name, refuses a refused address, and hands the socket the
   * address it checked. (node:http calls it only for names; an address in the URL is checked by checkSend.)
   */
  readonly lookup = (
    hostname: string,
    options: { all?: boolean },
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => this.refusal(a.address)).find((why) => why !== undefined);
      if (refused) return callback(new EventUrlRefused(`the event URL's host ${hostname} is refused: ${refused}`), '', 0);
      // node:net asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      callback(null, first?.address ?? '', first?.family ?? 4);
    });
  };

  /** What a send checks itself: the scheme, and an address written in the URL. */
  checkSend(url: string): void {
    const { protocol, hostname } = this.parse(url);
    if (protocol !== 'http:' && protocol !== 'https:') throw new EventUrlRefused(`the event URL must be http or https, not ${protocol}`);
    const host = hostname.replace(/^\[|\]$/g, '');
    const why = isIP(host) ? this.refusal(host) : undefined;
    if (why) throw new EventUrlRefused(`the event URL's host ${host} is refused: ${why}`);
  }

  private parse(url: string): URL {
    try {
      return new URL(url);
    } catch {
      throw new EventUrlRefused(`"${url}" is not a URL`);
    }
  }
}

const lookupAll = (host: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );
