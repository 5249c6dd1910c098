/**
 * What makes each site look like itself: language, faker locale, places, phone and postal-code
 * formats, and price level. faker has no es_AR (nor Colombian, Chilean, Uruguayan or Peruvian
 * places), so those cities and provinces are written here by hand.
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
  /** Cities with their state or province; null: take them from the faker locale. */
  readonly places: readonly (readonly [city: string, state: string])[] | null;
  /** E.164 phone number from a 9-digit random number. */
  readonly phone: (n: number) => string;
  /** Postal code from a random number. */
  readonly postalCode: (n: number) => string;
}

const digits = (n: number, width: number) => String(n % 10 ** width).padStart(width, '0');
const letters = (n: number, count: number) =>
  Array.from({ length: count }, (_, i) => String.fromCharCode(65 + (Math.floor(n / 26 ** i) % 26))).join('');

const ARGENTINA: [string, string][] = [
  ['Buenos Aires', 'CABA'], ['La Plata', 'Buenos Aires'], ['Mar del Plata', 'Buenos Aires'], ['Córdoba', 'Córdoba'],
  ['Rosario', 'Santa Fe'], ['Santa Fe', 'Santa Fe'], ['Mendoza', 'Mendoza'], ['San Miguel de Tucumán', 'Tucumán'],
  ['Salta', 'Salta'], ['Neuquén', 'Neuquén'], ['Bahía Blanca', 'Buenos Aires'], ['Posadas', 'Misiones'],
];
const COLOMBIA: [string, string][] = [
  ['Bogotá', 'Cundinamarca'], ['Medellín', 'Antioquia'], ['Cali', 'Valle del Cauca'], ['Barranquilla', 'Atlántico'],
  ['Cartagena', 'Bolívar'], ['Bucaramanga', 'Santander'], ['Pereira', 'Risaralda'], ['Manizales', 'Caldas'],
];
const CHILE: [string, string][] = [
  ['Santiago', 'Región Metropolitana'], ['Valparaíso', 'Valparaíso'], ['Concepción', 'Biobío'], ['Antofagasta', 'Antofagasta'],
  ['La Serena', 'Coquimbo'], ['Temuco', 'La Araucanía'], ['Rancagua', "O'Higgins"], ['Puerto Montt', 'Los Lagos'],
];
const URUGUAY: [string, string][] = [
  ['Montevideo', 'Montevideo'], ['Salto', 'Salto'], ['Paysandú', 'Paysandú'], ['Maldonado', 'Maldonado'],
  ['Punta del Este', 'Maldonado'], ['Rivera', 'Rivera'], ['Colonia del Sacramento', 'Colonia'],
];
const PERU: [string, string][] = [
  ['Lima', 'Lima'], ['Arequipa', 'Arequipa'], ['Trujillo', 'La Libertad'], ['Chiclayo', 'Lambayeque'],
  ['Piura', 'Piura'], ['Cusco', 'Cusco'], ['Iquitos', 'Loreto'], ['Huancayo', 'Junín'],
];

const generic = (countryCode: string, usdRate: number, places: [string, string][] | null = null): SiteProfile => ({
  language: 'es',
  faker: es,
  usdRate,
  places,
  phone: (n) => `+${countryCode}${digits(n, 8)}`,
  postalCode: (n) => digits(n, 5),
});

export const SITE_PROFILES: Record<SiteId, SiteProfile> = {
  MLB: {
    language: 'pt', faker: pt_BR, usdRate: 5.5, places: null,
    phone: (n) => `+55${11 + (n % 89)}9${digits(n >>> 7, 8)}`,
    postalCode: (n) => `${digits(n, 5)}-${digits(n >>> 3, 3)}`,
  },
  MLA: {
    language: 'es', faker: es, usdRate: 1150, places: ARGENTINA,
    phone: (n) => `+549${n % 2 ? '11' : '351'}${digits(n >>> 3, n % 2 ? 8 : 7)}`,
    // CPA: province letter, four digits, three letters (C1425ABC).
    postalCode: (n) => `${'CBXSMTANQ'[n % 9]}${digits(n >>> 4, 4)}${letters(n >>> 9, 3)}`,
  },
  MLM: {
    language: 'es', faker: es_MX, usdRate: 18.5, places: null,
    phone: (n) => `+52${n % 3 ? '55' : '33'}${digits(n >>> 2, 8)}`,
    postalCode: (n) => digits(n, 5),
  },
  MCO: { ...generic('57', 4100, COLOMBIA), phone: (n) => `+573${digits(n, 9)}`, postalCode: (n) => digits(n, 6) },
  MLC: { ...generic('56', 950, CHILE), phone: (n) => `+569${digits(n, 8)}`, postalCode: (n) => digits(n, 7) },
  MLU: { ...generic('598', 40, URUGUAY), phone: (n) => `+5989${digits(n, 7)}` },
  MPE: { ...generic('51', 3.7, PERU), phone: (n) => `+519${digits(n, 8)}` },
  MEC: generic('593', 1),
  MBO: generic('591', 6.9),
  MPY: generic('595', 7300),
  MCR: generic('506', 510),
  MPA: generic('507', 1),
  MRD: generic('1809', 59),
  MGT: generic('502', 7.7),
  MHN: generic('504', 25),
  MNI: generic('505', 37),
  MSV: generic('503', 1),
  MLV: generic('58', 36),
  MCU: generic('53', 24),
};
