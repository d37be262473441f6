/** Provisioning the local cloud from the synthesized CloudFormation template. */
export { provision, provisionStack, SKIPPED_RESOURCE_TYPES, type ProvisionOptions } from './provision';
export { loadStack, parseTemplate, type AssemblyStack, type Template, type TemplateResource, type TemplateOutput } from './template';
export { IntrinsicError, IntrinsicResolver, referencesOf, type ProvisionedValue, type PseudoParameters, type ResolverContext } from './intrinsics';
