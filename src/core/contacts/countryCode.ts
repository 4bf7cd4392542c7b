import { isSupportedCountry } from 'libphonenumber-js/min';
import { z } from 'zod';

/** Where numbers written without a country code are from: an ISO 3166 code libphonenumber knows. */
export const countryCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((code) => isSupportedCountry(code), 'must be a two-letter country code, like IN, GB or US');
