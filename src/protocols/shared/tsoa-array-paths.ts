import { ValidationService } from '@tsoa/runtime';

/**
 * tsoa 6.6 reports a problem inside an array element without the array's own parent path
 * (`addresses.$0.verified` instead of `body.data.user.addresses.$0.verified`): its validateArray passes
 * `name + '.'` as the elements' parent. Folding the parent into the name before the call gives the full
 * path and changes nothing else. Remove when tsoa fixes validateArray.
 */
type ValidateArray = (this: ValidationService, name: string, value: unknown, fieldErrors: unknown, isBodyParam: boolean, schema: unknown, validators: unknown, parent?: string) => unknown;

const prototype = ValidationService.prototype as unknown as { validateArray: ValidateArray; __fullArrayPaths?: boolean };
if (!prototype.__fullArrayPaths) {
  const original = prototype.validateArray;
  prototype.validateArray = function (name, value, fieldErrors, isBodyParam, schema, validators, parent = '') {
    return original.call(this, parent + name, value, fieldErrors, isBodyParam, schema, validators, '');
  };
  prototype.__fullArrayPaths = true;
}

/** tsoa's `body.data.user.addresses.$0.pan` as the wire path `data.user.addresses[0].pan` (the body itself is `body`). */
export function wirePath(tsoaPath: string): string {
  return tsoaPath.replace(/^(requestBody|body)\.?/, '').replace(/\.\$([0-9]+)/g, '[$1]') || 'body';
}
