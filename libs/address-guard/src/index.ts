export { AddressRefused, guardedLookup, isBlockedAddress, literalAddressProblem } from './address-guard';
