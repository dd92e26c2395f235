import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import type { Value } from './values';

/**
 * Logs Insights' IP address functions (CWL_QuerySyntax, "IP address string functions"):
 * isValidIp, isValidIpV4, isValidIpV6, isIpInSubnet, isIpv4InSubnet, isIpv6InSubnet. Node's own
 * parser (node:net) decides what an address is and BlockList matches a CIDR subnet.
 */
export const IP_FUNCTIONS: ReadonlyArray<readonly [string, (args: readonly Value[]) => Value]> = [
  ['isvalidip', (a) => (isIP(text(a[0])) !== 0 ? 1 : 0)],
  ['isvalidipv4', (a) => (isIPv4(text(a[0])) ? 1 : 0)],
  ['isvalidipv6', (a) => (isIPv6(text(a[0])) ? 1 : 0)],
  ['isipinsubnet', (a) => inSubnet(text(a[0]), text(a[1]), 'any')],
  ['isipv4insubnet', (a) => inSubnet(text(a[0]), text(a[1]), 'ipv4')],
  ['isipv6insubnet', (a) => inSubnet(text(a[0]), text(a[1]), 'ipv6')],
];

function text(v: Value | undefined): string {
  return v === null || v === undefined ? '' : String(v).trim();
}

// One BlockList per subnet text: a query applies the same subnet to every row.
const subnets = new Map<string, { list: BlockList; family: 'ipv4' | 'ipv6' } | null>();

function subnetOf(cidr: string): { list: BlockList; family: 'ipv4' | 'ipv6' } | null {
  const cached = subnets.get(cidr);
  if (cached !== undefined) return cached;
  const slash = cidr.lastIndexOf('/');
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  const prefix = slash < 0 ? (family === 'ipv4' ? 32 : 128) : Number(cidr.slice(slash + 1));
  let entry: { list: BlockList; family: 'ipv4' | 'ipv6' } | null = null;
  if (
    family !== undefined &&
    Number.isInteger(prefix) &&
    prefix >= 0 &&
    prefix <= (family === 'ipv4' ? 32 : 128)
  ) {
    const list = new BlockList();
    list.addSubnet(address, prefix, family);
    entry = { list, family };
  }
  if (subnets.size > 1000) subnets.clear();
  subnets.set(cidr, entry);
  return entry;
}

function inSubnet(ip: string, cidr: string, only: 'any' | 'ipv4' | 'ipv6'): number {
  const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined;
  if (family === undefined || (only !== 'any' && family !== only)) return 0;
  const subnet = subnetOf(cidr);
  if (subnet === null || subnet.family !== family) return 0;
  return subnet.list.check(ip, family) ? 1 : 0;
}
