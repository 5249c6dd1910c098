/**
 * What makes each site look like itself: language, faker locale (for people's names) and price
 * level. Places, streets, postal codes, phone numbers and time zones come from the curated
 * tables of seeds/places.ts, not from faker (whose Spanish places are Spain's).
 */
// Per-locale entry points: the package root loads all 70 locales (~30 MB), these three ~5 MB.
import { faker as es } from '@faker-js/faker/locale/es';
import { faker as es_MX } from '@faker-js/faker/locale/es_MX';
import { faker as pt_BR } from '@faker-js/faker/locale/pt_BR';
import type { Faker } from '@faker-js/faker';
import type { SiteId } from '../schema/values.ts';

export type Language = 'pt' | 'es';

export interface SiteProfile {
  readonly language: Language;
  /** faker for the site's locale (with English as fallback); seed it before use. */
  readonly faker: Faker;
  /** Units of the site currency per US dollar (2025 levels, rounded), to set realistic prices. */
  readonly usdRate: number;
}

const generic = (usdRate: number): SiteProfile => ({ language: 'es', faker: es, usdRate });

export const SITE_PROFILES: Record<SiteId, SiteProfile> = {
  MLB: { language: 'pt', faker: pt_BR, usdRate: 5.5 },
  MLA: generic(1150),
  MLM: { language: 'es', faker: es_MX, usdRate: 18.5 },
  MCO: generic(4100),
  MLC: generic(950),
  MLU: generic(40),
  MPE: generic(3.7),
  MEC: generic(1),
  MBO: generic(6.9),
  MPY: generic(7300),
  MCR: generic(510),
  MPA: generic(1),
  MRD: generic(59),
  MGT: generic(7.7),
  MHN: generic(25),
  MNI: generic(37),
  MSV: generic(1),
  MLV: generic(36),
  MCU: generic(24),
};
