/**
 * Where the seeded people live, per site: real cities in their real state, province or region,
 * the first characters of their postal codes, and their telephone area codes; the streets of
 * each country; and each site's time zone. A small curated table per site (docs/design.md,
 * 'Places'), shipped with the project so that addresses are coherent without faker's invented
 * places, and read by the data rule that checks seeded and loaded addresses alike.
 */
import type { SiteId } from '../schema/values.ts';

export interface Place {
  readonly city: string;
  /** State, province, department or region, as the country's post writes it. */
  readonly state: string;
  /** How the city's postal codes start (one is picked per address). */
  readonly postal: readonly string[];
  /** Telephone area codes of the city (for mobile-only numbering: the mobile prefixes). */
  readonly area: readonly string[];
  /** Relative population, to weight where users live. */
  readonly weight: number;
}

export interface SitePlaces {
  /** IANA time zone of the site's main market. */
  readonly timeZone: string;
  /** Postal code pattern: `#` a digit, `@` a capital letter; a place's prefix replaces its start. */
  readonly postalPattern: string;
  /** Country calling code, without +. */
  readonly countryCode: string;
  /** What follows the country code before the area code (Argentina's mobile 9). */
  readonly mobileMark: string;
  /** Digits of a full national number after the mobile mark (area code included). */
  readonly nationalDigits: number;
  readonly places: readonly Place[];
  readonly streets: readonly string[];
}

/** The language of each site: Portuguese in Brazil, Spanish elsewhere. */
export const PORTUGUESE_SITES: readonly SiteId[] = ['MLB'];
/** Sites whose Spanish uses vos (voseo): Argentina and Uruguay. */
export const VOSEO_SITES: readonly SiteId[] = ['MLA', 'MLU'];

/** Brazil's telephone area codes (DDD), all of them: a Brazilian number starts with one. */
export const BRAZIL_AREA_CODES = [
  '11', '12', '13', '14', '15', '16', '17', '18', '19', '21', '22', '24', '27', '28', '31', '32', '33', '34', '35', '37', '38',
  '41', '42', '43', '44', '45', '46', '47', '48', '49', '51', '53', '54', '55', '61', '62', '63', '64', '65', '66', '67', '68', '69',
  '71', '73', '74', '75', '77', '79', '81', '82', '83', '84', '85', '86', '87', '88', '89', '91', '92', '93', '94', '95', '96', '97', '98', '99',
] as const;

const p = (city: string, state: string, postal: string[], area: string[], weight = 1): Place => ({ city, state, postal, area, weight });

const SPANISH_STREETS_COMMON = ['Av. Bolívar', 'Calle Sucre', 'Av. Independencia', 'Calle Real', 'Av. Libertador', 'Calle Colón', 'Av. Central', 'Calle Comercio'];

export const SITE_PLACES: Record<SiteId, SitePlaces> = {
  MLB: {
    timeZone: 'America/Sao_Paulo', postalPattern: '#####-###', countryCode: '55', mobileMark: '', nationalDigits: 11,
    places: [
      p('São Paulo', 'SP', ['01', '02', '03', '04', '05', '08'], ['11'], 12), p('Guarulhos', 'SP', ['070', '071', '072'], ['11'], 1.3),
      p('Campinas', 'SP', ['130', '131'], ['19'], 1.2), p('Santos', 'SP', ['110', '111'], ['13'], 0.5), p('Ribeirão Preto', 'SP', ['140'], ['16'], 0.7),
      p('Rio de Janeiro', 'RJ', ['20', '21', '22', '23'], ['21'], 6.7), p('Niterói', 'RJ', ['240', '241', '242'], ['21'], 0.5),
      p('Belo Horizonte', 'MG', ['30', '31'], ['31'], 2.5), p('Uberlândia', 'MG', ['384'], ['34'], 0.7),
      p('Curitiba', 'PR', ['80', '81', '82'], ['41'], 1.9), p('Londrina', 'PR', ['860', '861'], ['43'], 0.6),
      p('Porto Alegre', 'RS', ['90', '91'], ['51'], 1.4), p('Florianópolis', 'SC', ['880'], ['48'], 0.5), p('Joinville', 'SC', ['892'], ['47'], 0.6),
      p('Salvador', 'BA', ['40', '41'], ['71'], 2.4), p('Recife', 'PE', ['50', '51', '52'], ['81'], 1.5), p('Fortaleza', 'CE', ['60', '61'], ['85'], 2.4),
      p('Brasília', 'DF', ['70', '71', '72', '73'], ['61'], 2.8), p('Goiânia', 'GO', ['74'], ['62'], 1.4), p('Manaus', 'AM', ['690'], ['92'], 2.0),
      p('Belém', 'PA', ['66'], ['91'], 1.3), p('São Luís', 'MA', ['650'], ['98'], 1.0), p('Natal', 'RN', ['590'], ['84'], 0.8),
      p('João Pessoa', 'PB', ['580'], ['83'], 0.8), p('Maceió', 'AL', ['570'], ['82'], 0.9), p('Campo Grande', 'MS', ['790'], ['67'], 0.9),
      p('Cuiabá', 'MT', ['780'], ['65'], 0.6), p('Vitória', 'ES', ['290'], ['27'], 0.4), p('Teresina', 'PI', ['640'], ['86'], 0.8), p('Aracaju', 'SE', ['490'], ['79'], 0.6),
    ],
    streets: [
      'Rua das Flores', 'Rua XV de Novembro', 'Avenida Brasil', 'Rua Sete de Setembro', 'Rua Tiradentes', 'Avenida Getúlio Vargas', 'Rua Dom Pedro II',
      'Rua São José', 'Rua Santa Catarina', 'Avenida Paulista', 'Rua Augusta', 'Rua da Consolação', 'Avenida Rio Branco', 'Rua Barão do Rio Branco',
      'Rua Marechal Deodoro', 'Avenida Independência', 'Rua Duque de Caxias', 'Rua Bahia', 'Rua Pernambuco', 'Avenida Santos Dumont', 'Rua Amazonas',
      'Rua Rui Barbosa', 'Avenida JK', 'Rua Castro Alves', 'Rua Voluntários da Pátria',
    ],
  },
  MLA: {
    timeZone: 'America/Argentina/Buenos_Aires', postalPattern: '@####@@@', countryCode: '54', mobileMark: '9', nationalDigits: 10,
    places: [
      p('Buenos Aires', 'CABA', ['C10', 'C11', 'C12', 'C13', 'C14'], ['11'], 10), p('La Plata', 'Buenos Aires', ['B1900'], ['221'], 2),
      p('Mar del Plata', 'Buenos Aires', ['B7600'], ['223'], 2), p('Bahía Blanca', 'Buenos Aires', ['B8000'], ['291'], 1), p('Quilmes', 'Buenos Aires', ['B1878'], ['11'], 2),
      p('Morón', 'Buenos Aires', ['B1708'], ['11'], 1.5), p('Córdoba', 'Córdoba', ['X50'], ['351'], 4), p('Río Cuarto', 'Córdoba', ['X5800'], ['358'], 0.5),
      p('Rosario', 'Santa Fe', ['S2000'], ['341'], 3), p('Santa Fe', 'Santa Fe', ['S3000'], ['342'], 1), p('Mendoza', 'Mendoza', ['M5500'], ['261'], 2),
      p('San Miguel de Tucumán', 'Tucumán', ['T4000'], ['381'], 1.5), p('Salta', 'Salta', ['A4400'], ['387'], 1.2), p('Neuquén', 'Neuquén', ['Q8300'], ['299'], 0.8),
      p('Posadas', 'Misiones', ['N3300'], ['376'], 0.7), p('Paraná', 'Entre Ríos', ['E3100'], ['343'], 0.6), p('Corrientes', 'Corrientes', ['W3400'], ['379'], 0.7),
      p('Resistencia', 'Chaco', ['H3500'], ['362'], 0.7), p('San Juan', 'San Juan', ['J5400'], ['264'], 0.9), p('San Salvador de Jujuy', 'Jujuy', ['Y4600'], ['388'], 0.6),
      p('Comodoro Rivadavia', 'Chubut', ['U9000'], ['297'], 0.4),
    ],
    streets: [
      'Av. Corrientes', 'Av. Santa Fe', 'Av. Rivadavia', 'San Martín', 'Belgrano', 'Sarmiento', 'Mitre', 'Av. 9 de Julio', 'Moreno', 'Av. Colón',
      'Av. Cabildo', 'Lavalle', 'Tucumán', 'Maipú', 'Rivadavia', 'Av. Pellegrini', 'Bv. Oroño', 'Av. Libertador', 'Güemes', 'Urquiza', 'Alsina',
      'Av. Hipólito Yrigoyen', 'Calle 7', 'Av. Independencia', 'Dorrego',
    ],
  },
  MLM: {
    timeZone: 'America/Mexico_City', postalPattern: '#####', countryCode: '52', mobileMark: '', nationalDigits: 10,
    places: [
      p('Ciudad de México', 'Ciudad de México', ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16'], ['55'], 9),
      p('Guadalajara', 'Jalisco', ['44'], ['33'], 3), p('Zapopan', 'Jalisco', ['450', '451'], ['33'], 2), p('Monterrey', 'Nuevo León', ['64'], ['81'], 3),
      p('San Nicolás de los Garza', 'Nuevo León', ['664'], ['81'], 1), p('Puebla', 'Puebla', ['72'], ['222'], 2), p('Tijuana', 'Baja California', ['22'], ['664'], 2),
      p('León', 'Guanajuato', ['37'], ['477'], 2), p('Querétaro', 'Querétaro', ['76'], ['442'], 1.2), p('Mérida', 'Yucatán', ['97'], ['999'], 1.2),
      p('Cancún', 'Quintana Roo', ['775'], ['998'], 1), p('Toluca', 'Estado de México', ['50'], ['722'], 1), p('Ecatepec de Morelos', 'Estado de México', ['550', '551'], ['55'], 2),
      p('Naucalpan de Juárez', 'Estado de México', ['53'], ['55'], 1), p('Aguascalientes', 'Aguascalientes', ['20'], ['449'], 1), p('Chihuahua', 'Chihuahua', ['31'], ['614'], 1),
      p('Ciudad Juárez', 'Chihuahua', ['32'], ['656'], 1.5), p('Hermosillo', 'Sonora', ['83'], ['662'], 1), p('San Luis Potosí', 'San Luis Potosí', ['78'], ['444'], 1),
      p('Morelia', 'Michoacán', ['58'], ['443'], 0.8), p('Veracruz', 'Veracruz', ['917', '918'], ['229'], 0.7), p('Culiacán', 'Sinaloa', ['80'], ['667'], 0.9),
      p('Oaxaca de Juárez', 'Oaxaca', ['68'], ['951'], 0.3),
    ],
    streets: [
      'Av. Insurgentes Sur', 'Paseo de la Reforma', 'Calle Madero', 'Av. Revolución', 'Calle Hidalgo', 'Av. Juárez', 'Calle Morelos', 'Calle 5 de Mayo',
      'Av. Universidad', 'Calle Allende', 'Calle Zaragoza', 'Av. Chapultepec', 'Calle Guerrero', 'Av. Vallarta', 'Av. Constitución', 'Calle Aldama',
      'Av. Tlalpan', 'Calle Niños Héroes', 'Av. López Mateos', 'Calle Benito Juárez', 'Av. Patriotismo', 'Calle Independencia',
    ],
  },
  MCO: {
    timeZone: 'America/Bogota', postalPattern: '######', countryCode: '57', mobileMark: '', nationalDigits: 10,
    places: [
      p('Bogotá', 'Bogotá D.C.', ['11'], ['300', '310', '311', '312', '313', '315', '316', '320', '321', '350'], 8), p('Medellín', 'Antioquia', ['050'], ['300', '301', '304', '310', '312', '314', '320'], 3),
      p('Cali', 'Valle del Cauca', ['760'], ['300', '301', '310', '311', '315', '316', '317'], 2.5), p('Barranquilla', 'Atlántico', ['080'], ['300', '301', '304', '310', '313'], 1.5),
      p('Cartagena', 'Bolívar', ['130'], ['300', '301', '310', '314'], 1), p('Bucaramanga', 'Santander', ['680'], ['300', '310', '315', '317'], 0.7),
      p('Pereira', 'Risaralda', ['660'], ['300', '310', '311', '313'], 0.5), p('Manizales', 'Caldas', ['170'], ['300', '310', '312'], 0.4),
      p('Cúcuta', 'Norte de Santander', ['540'], ['300', '310', '313', '320'], 0.8), p('Ibagué', 'Tolima', ['730'], ['300', '310', '316'], 0.5),
      p('Santa Marta', 'Magdalena', ['470'], ['300', '301', '310'], 0.5), p('Villavicencio', 'Meta', ['500'], ['300', '310', '321'], 0.5), p('Soacha', 'Cundinamarca', ['250'], ['300', '310', '311', '320'], 0.7),
    ],
    streets: ['Carrera 7', 'Calle 72', 'Avenida Boyacá', 'Carrera 15', 'Calle 26', 'Avenida El Poblado', 'Carrera 43A', 'Calle 10', 'Avenida Roosevelt', 'Carrera 50', 'Calle 80', 'Avenida Caracas', 'Calle 100', 'Carrera 11', 'Avenida Santander'],
  },
  MLC: {
    timeZone: 'America/Santiago', postalPattern: '#######', countryCode: '56', mobileMark: '', nationalDigits: 9,
    places: [
      p('Santiago', 'Región Metropolitana', ['83'], ['9'], 3), p('Providencia', 'Región Metropolitana', ['750'], ['9'], 1), p('Las Condes', 'Región Metropolitana', ['755'], ['9'], 1.5),
      p('Maipú', 'Región Metropolitana', ['925'], ['9'], 2), p('Puente Alto', 'Región Metropolitana', ['815'], ['9'], 2), p('Valparaíso', 'Valparaíso', ['234'], ['9'], 1),
      p('Viña del Mar', 'Valparaíso', ['252'], ['9'], 1), p('Concepción', 'Biobío', ['403'], ['9'], 1), p('Antofagasta', 'Antofagasta', ['124'], ['9'], 1),
      p('La Serena', 'Coquimbo', ['170'], ['9'], 0.8), p('Temuco', 'La Araucanía', ['478'], ['9'], 0.9), p('Rancagua', "Libertador General Bernardo O'Higgins", ['282'], ['9'], 0.8),
      p('Puerto Montt', 'Los Lagos', ['548'], ['9'], 0.7), p('Talca', 'Maule', ['346'], ['9'], 0.7), p('Arica', 'Arica y Parinacota', ['100'], ['9'], 0.7),
      p('Iquique', 'Tarapacá', ['110'], ['9'], 0.6), p('Chillán', 'Ñuble', ['378'], ['9'], 0.6), p('Valdivia', 'Los Ríos', ['509'], ['9'], 0.5), p('Punta Arenas', 'Magallanes', ['620'], ['9'], 0.4),
    ],
    streets: ['Av. Providencia', "Av. Libertador Bernardo O'Higgins", 'Av. Apoquindo', 'Calle Huérfanos', 'Av. Vicuña Mackenna', 'Calle Merced', 'Av. Pajaritos', 'Av. Irarrázaval', 'Calle Prat', 'Av. Grecia', 'Calle Esmeralda', 'Av. Matta', 'Calle Blanco', 'Av. Alemania', 'Calle Serrano'],
  },
  MLU: {
    timeZone: 'America/Montevideo', postalPattern: '#####', countryCode: '598', mobileMark: '', nationalDigits: 8,
    places: [
      p('Montevideo', 'Montevideo', ['11', '12'], ['91', '93', '94', '95', '96', '97', '98', '99'], 8), p('Ciudad de la Costa', 'Canelones', ['15'], ['91', '94', '98', '99'], 1.5),
      p('Las Piedras', 'Canelones', ['902'], ['91', '94', '98', '99'], 1), p('Salto', 'Salto', ['500'], ['91', '98', '99'], 1), p('Paysandú', 'Paysandú', ['600'], ['91', '98', '99'], 1),
      p('Maldonado', 'Maldonado', ['200'], ['94', '98', '99'], 0.8), p('Punta del Este', 'Maldonado', ['201'], ['94', '98', '99'], 0.3), p('Rivera', 'Rivera', ['400'], ['91', '98', '99'], 0.8),
      p('Colonia del Sacramento', 'Colonia', ['700'], ['91', '98', '99'], 0.4), p('Tacuarembó', 'Tacuarembó', ['450'], ['91', '99'], 0.5), p('Mercedes', 'Soriano', ['750'], ['91', '99'], 0.4),
    ],
    streets: ['Av. 18 de Julio', 'Bulevar Artigas', 'Av. Italia', 'Av. Rivera', 'Calle Sarandí', 'Av. Brasil', 'Calle Colonia', 'Av. Agraciada', 'Calle Uruguay', 'Rambla República de México', 'Calle Canelones', 'Av. Millán'],
  },
  MPE: {
    timeZone: 'America/Lima', postalPattern: '#####', countryCode: '51', mobileMark: '', nationalDigits: 9,
    places: [
      p('Lima', 'Lima', ['15'], ['9'], 10), p('Callao', 'Callao', ['070'], ['9'], 1), p('Arequipa', 'Arequipa', ['040'], ['9'], 1.2), p('Trujillo', 'La Libertad', ['130'], ['9'], 1),
      p('Chiclayo', 'Lambayeque', ['140'], ['9'], 0.8), p('Piura', 'Piura', ['200'], ['9'], 0.6), p('Cusco', 'Cusco', ['080'], ['9'], 0.5), p('Iquitos', 'Loreto', ['160'], ['9'], 0.5),
      p('Huancayo', 'Junín', ['120'], ['9'], 0.5), p('Tacna', 'Tacna', ['230'], ['9'], 0.3), p('Ica', 'Ica', ['110'], ['9'], 0.3), p('Chimbote', 'Áncash', ['021'], ['9'], 0.4),
    ],
    streets: ['Av. Arequipa', 'Av. Javier Prado', 'Jr. de la Unión', 'Av. Larco', 'Av. Brasil', 'Av. La Marina', 'Jr. Camaná', 'Av. Abancay', 'Av. Benavides', 'Av. Salaverry', 'Av. Angamos', 'Jr. Lampa'],
  },
  MEC: {
    timeZone: 'America/Guayaquil', postalPattern: '######', countryCode: '593', mobileMark: '', nationalDigits: 9,
    places: [p('Quito', 'Pichincha', ['170'], ['9'], 3), p('Guayaquil', 'Guayas', ['090'], ['9'], 4), p('Cuenca', 'Azuay', ['010'], ['9'], 1)],
    streets: ['Av. 10 de Agosto', 'Av. Amazonas', 'Av. 9 de Octubre', 'Calle Bolívar', 'Av. de las Américas', 'Calle Sucre', 'Av. Francisco de Orellana'],
  },
  MBO: {
    timeZone: 'America/La_Paz', postalPattern: '####', countryCode: '591', mobileMark: '', nationalDigits: 8,
    places: [p('La Paz', 'La Paz', ['0'], ['6', '7'], 2), p('Santa Cruz de la Sierra', 'Santa Cruz', ['0'], ['6', '7'], 3), p('Cochabamba', 'Cochabamba', ['0'], ['6', '7'], 1.5)],
    streets: ['Av. 16 de Julio', 'Av. Arce', 'Calle Comercio', 'Av. Cristo Redentor', 'Av. Ballivián', ...SPANISH_STREETS_COMMON.slice(0, 3)],
  },
  MPY: {
    timeZone: 'America/Asuncion', postalPattern: '####', countryCode: '595', mobileMark: '', nationalDigits: 9,
    places: [p('Asunción', 'Asunción', ['1'], ['9'], 3), p('Ciudad del Este', 'Alto Paraná', ['7'], ['9'], 1.5), p('Encarnación', 'Itapúa', ['6'], ['9'], 1)],
    streets: ['Av. Mariscal López', 'Calle Palma', 'Av. España', 'Av. Eusebio Ayala', 'Calle Estrella', 'Av. Artigas'],
  },
  MCR: {
    timeZone: 'America/Costa_Rica', postalPattern: '#####', countryCode: '506', mobileMark: '', nationalDigits: 8,
    places: [p('San José', 'San José', ['10'], ['6', '7', '8'], 3), p('Alajuela', 'Alajuela', ['20'], ['6', '7', '8'], 1.5), p('Heredia', 'Heredia', ['40'], ['6', '7', '8'], 1)],
    streets: ['Avenida Central', 'Paseo Colón', 'Calle 5', 'Avenida Segunda', 'Calle Blancos'],
  },
  MPA: {
    timeZone: 'America/Panama', postalPattern: '####', countryCode: '507', mobileMark: '', nationalDigits: 8,
    places: [p('Ciudad de Panamá', 'Panamá', ['08'], ['6'], 3), p('San Miguelito', 'Panamá', ['08'], ['6'], 1), p('Colón', 'Colón', ['03'], ['6'], 0.5)],
    streets: ['Vía España', 'Avenida Balboa', 'Calle 50', 'Vía Argentina', 'Avenida Perú'],
  },
  MRD: {
    timeZone: 'America/Santo_Domingo', postalPattern: '#####', countryCode: '1', mobileMark: '', nationalDigits: 10,
    places: [p('Santo Domingo', 'Distrito Nacional', ['10'], ['809', '829', '849'], 3), p('Santiago de los Caballeros', 'Santiago', ['51'], ['809', '829', '849'], 1.5)],
    streets: ['Av. Winston Churchill', 'Av. 27 de Febrero', 'Av. Abraham Lincoln', 'Calle El Conde', 'Av. John F. Kennedy'],
  },
  MGT: {
    timeZone: 'America/Guatemala', postalPattern: '#####', countryCode: '502', mobileMark: '', nationalDigits: 8,
    places: [p('Ciudad de Guatemala', 'Guatemala', ['01'], ['3', '4', '5'], 3), p('Quetzaltenango', 'Quetzaltenango', ['09'], ['3', '4', '5'], 1)],
    streets: ['Avenida La Reforma', 'Sexta Avenida', 'Calzada Roosevelt', 'Avenida Las Américas', 'Calle Montúfar'],
  },
  MHN: {
    timeZone: 'America/Tegucigalpa', postalPattern: '#####', countryCode: '504', mobileMark: '', nationalDigits: 8,
    places: [p('Tegucigalpa', 'Francisco Morazán', ['11'], ['3', '8', '9'], 2), p('San Pedro Sula', 'Cortés', ['21'], ['3', '8', '9'], 2)],
    streets: ['Boulevard Morazán', 'Avenida Cervantes', 'Boulevard Suyapa', 'Calle Real', 'Avenida Circunvalación'],
  },
  MNI: {
    timeZone: 'America/Managua', postalPattern: '#####', countryCode: '505', mobileMark: '', nationalDigits: 8,
    places: [p('Managua', 'Managua', ['1'], ['5', '7', '8'], 3), p('León', 'León', ['2'], ['5', '7', '8'], 1)],
    streets: ['Carretera a Masaya', 'Avenida Bolívar', 'Calle Real', 'Pista Juan Pablo II'],
  },
  MSV: {
    timeZone: 'America/El_Salvador', postalPattern: '####', countryCode: '503', mobileMark: '', nationalDigits: 8,
    places: [p('San Salvador', 'San Salvador', ['11'], ['6', '7'], 3), p('Santa Ana', 'Santa Ana', ['22'], ['6', '7'], 1)],
    streets: ['Paseo General Escalón', 'Boulevard de los Héroes', 'Alameda Roosevelt', 'Calle Arce', 'Avenida Olímpica'],
  },
  MLV: {
    timeZone: 'America/Caracas', postalPattern: '####', countryCode: '58', mobileMark: '', nationalDigits: 10,
    places: [
      p('Caracas', 'Distrito Capital', ['10'], ['412', '414', '416', '424', '426'], 4), p('Maracaibo', 'Zulia', ['40'], ['412', '414', '416', '424', '426'], 2),
      p('Valencia', 'Carabobo', ['20'], ['412', '414', '416', '424', '426'], 2), p('Barquisimeto', 'Lara', ['30'], ['412', '414', '416', '424', '426'], 1),
    ],
    streets: ['Av. Francisco de Miranda', 'Av. Urdaneta', 'Av. Bolívar', 'Av. Libertador', 'Calle Real de Sabana Grande', 'Av. Universidad'],
  },
  MCU: {
    timeZone: 'America/Havana', postalPattern: '#####', countryCode: '53', mobileMark: '', nationalDigits: 8,
    places: [p('La Habana', 'La Habana', ['10'], ['5'], 3), p('Santiago de Cuba', 'Santiago de Cuba', ['90'], ['5'], 1)],
    streets: ['Calle 23', 'Avenida de los Presidentes', 'Calle Obispo', 'Avenida 5ta', 'Calle San Rafael'],
  },
};

/** A postal code for place `place` of a site, filled from a random number. */
export function postalCode(site: SitePlaces, place: Place, n: number): string {
  const prefix = place.postal[n % place.postal.length]!;
  let h = n >>> 0;
  let out = prefix;
  for (const c of site.postalPattern.slice(prefix.length)) {
    h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + 0x6b43a9b5) >>> 0;
    out += c === '#' ? String(h % 10) : c === '@' ? String.fromCharCode(65 + (h % 26)) : c;
  }
  return out;
}

/** An E.164 mobile number in the area of `place`, from a random number. */
export function phoneNumber(site: SitePlaces, place: Place, n: number): string {
  const area = place.area[n % place.area.length]!;
  let rest = '';
  let h = (Math.floor(n / place.area.length) ^ 0x5bd1e995) >>> 0;
  // Mobile numbers start with 9 in Brazil (after the area code); others have no such digit.
  const first = site.countryCode === '55' ? '9' : '';
  const digits = site.nationalDigits - area.length - first.length;
  for (let i = 0; i < digits; i++) {
    rest += String(i === 0 ? 2 + (h % 8) : h % 10);
    h = Math.imul(h ^ (h >>> 13), 0x85ebca6b) >>> 0;
  }
  return `+${site.countryCode}${site.mobileMark}${area}${first}${rest}`;
}

/** The sites' time zones as an SQL row source `(region text, zone text)`, to join on CAST(region AS text). */
export function zonesSql(alias = 'z'): string {
  const rows = Object.entries(SITE_PLACES).map(([site, p]) => `('${site}', '${p.timeZone}')`);
  return `(VALUES ${rows.join(', ')}) AS ${alias}(region, zone)`;
}
