/** A JSON pointer (`/tenants/0/users/1`) written the way messages name a place: `tenants[0].users[1]`. */
export function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}
