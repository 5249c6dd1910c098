/**
 * The words of the marketplace, per language: the category tree, what is sold in each leaf,
 * and what buyers and sellers write. Hand-written so that a seeded database reads like a real
 * one (faker's product names are random adjective-noun pairs).
 */
import type { Language } from './locales.ts';

type PerLanguage<T> = Record<Language, T>;

export interface LeafCategory {
  readonly name: string;
  readonly description: string;
  /** What a listing is called, per language. */
  readonly nouns: PerLanguage<readonly string[]>;
  readonly brands: readonly string[];
  readonly variants: readonly string[];
  /** Typical price in US dollars. */
  readonly usd: number;
}

export interface TopCategory {
  readonly name: string;
  readonly description: string;
  readonly leaves: readonly LeafCategory[];
}

const leaf = (
  name: string,
  description: string,
  pt: string[],
  es: string[],
  brands: string[],
  variants: string[],
  usd: number,
): LeafCategory => ({ name, description, nouns: { pt, es }, brands, variants, usd });

/** Category names are global (one tree for every site), written in Spanish as on the corporate site. */
export const CATEGORY_TREE: readonly TopCategory[] = [
  {
    name: 'Tecnología', description: 'Phones, computers, games and electronics.',
    leaves: [
      leaf('Celulares y Smartphones', 'Mobile phones.', ['Celular', 'Smartphone'], ['Celular', 'Smartphone'],
        ['Samsung Galaxy A55', 'Motorola Moto G84', 'Xiaomi Redmi Note 13', 'iPhone 13', 'Motorola Edge 50'], ['128 GB', '256 GB', '8 GB RAM', 'Dual Chip'], 320),
      leaf('Notebooks', 'Laptops and netbooks.', ['Notebook', 'Notebook Gamer'], ['Notebook', 'Laptop'],
        ['Lenovo IdeaPad 3', 'Dell Inspiron 15', 'Acer Aspire 5', 'Asus Vivobook 15', 'HP 250 G9'], ['Core i5 8GB', 'Ryzen 5 16GB', 'SSD 512GB', '15.6"'], 650),
      leaf('Consolas', 'Video game consoles.', ['Console', 'Video Game'], ['Consola', 'Videojuego'],
        ['PlayStation 5', 'Xbox Series S', 'Nintendo Switch OLED', 'Xbox Series X'], ['Standard', 'Digital', '1 TB', 'com 2 controles'], 480),
      leaf('Auriculares', 'Headphones and earbuds.', ['Fone de Ouvido', 'Headset'], ['Auriculares', 'Audífonos'],
        ['JBL Tune 520BT', 'Sony WH-CH520', 'Xiaomi Redmi Buds 4', 'Edifier W820NB'], ['Bluetooth', 'Preto', 'Branco', 'In-ear'], 45),
    ],
  },
  {
    name: 'Hogar y Muebles', description: 'Furniture, kitchen and home.',
    leaves: [
      leaf('Cocina', 'Cookware and small kitchen appliances.', ['Panela', 'Air Fryer', 'Liquidificador'], ['Olla', 'Freidora de Aire', 'Licuadora'],
        ['Tramontina', 'Mondial', 'Oster', 'Philips Walita', 'T-fal'], ['4 L', '5 L', '110V', '220V', 'Inox'], 60),
      leaf('Muebles', 'Furniture.', ['Sofá', 'Mesa de Jantar', 'Guarda-roupa'], ['Sillón', 'Mesa de Comedor', 'Placard'],
        ['Madesa', 'Tok&Stok', 'Mobly', 'Ikea'], ['3 Lugares', '6 Cadeiras', 'Branco', 'Nogal'], 280),
      leaf('Iluminación', 'Lamps and bulbs.', ['Luminária', 'Lâmpada LED'], ['Lámpara', 'Foco LED'],
        ['Philips', 'Osram', 'Taschibra', 'Xiaomi'], ['9W', 'Kit 10', 'Luz Quente', 'Inteligente'], 18),
    ],
  },
  {
    name: 'Ropa y Accesorios', description: 'Clothes, shoes and accessories.',
    leaves: [
      leaf('Zapatillas', 'Sneakers and running shoes.', ['Tênis', 'Tênis de Corrida'], ['Zapatillas', 'Tenis'],
        ['Nike Revolution 6', 'Adidas Runfalcon 3', 'Olympikus Corre 3', 'Topper Squat', 'Puma Smash'], ['Tamanho 40', 'Talle 42', 'Preto', 'Branco'], 70),
      leaf('Remeras', 'T-shirts and shirts.', ['Camiseta', 'Camisa Polo'], ['Remera', 'Playera', 'Camisa Polo'],
        ['Hering', 'Lacoste', 'Levi\'s', 'Tommy Hilfiger'], ['Talle M', 'Tamanho G', 'Algodón', 'Básica'], 25),
      leaf('Mochilas', 'Backpacks and bags.', ['Mochila', 'Bolsa'], ['Mochila', 'Bolso'],
        ['Samsonite', 'Jansport', 'Xtrem', 'Swissland'], ['30 L', 'Notebook 15.6"', 'Impermeable', 'Preta'], 40),
    ],
  },
  {
    name: 'Deportes y Fitness', description: 'Sports equipment and fitness.',
    leaves: [
      leaf('Bicicletas', 'Bicycles.', ['Bicicleta', 'Bike Aro 29'], ['Bicicleta', 'Mountain Bike'],
        ['Caloi', 'Oggi', 'Venzo', 'Trek Marlin 5'], ['Aro 29', '21 Marchas', 'Alumínio', 'Rodado 26'], 420),
      leaf('Fitness', 'Weights and training.', ['Kit Halteres', 'Esteira Ergométrica'], ['Mancuernas', 'Cinta de Correr'],
        ['Kikos', 'Athletic', 'Randers', 'Movement'], ['10 kg', '20 kg', 'Dobrável', 'Profesional'], 150),
    ],
  },
  {
    name: 'Belleza y Cuidado Personal', description: 'Beauty and personal care.',
    leaves: [
      leaf('Perfumes', 'Perfumes.', ['Perfume', 'Colônia'], ['Perfume', 'Eau de Parfum'],
        ['Natura Essencial', 'Boticário Malbec', 'Carolina Herrera 212', 'Antonio Banderas Blue Seduction'], ['100 ml', '50 ml', 'Masculino', 'Feminino'], 55),
      leaf('Cuidado del Cabello', 'Hair care and dryers.', ['Secador de Cabelo', 'Chapinha'], ['Secador de Pelo', 'Planchita'],
        ['Taiff', 'Gama Italy', 'Remington', 'Philips'], ['2000W', 'Bivolt', 'Íons', 'Cerámica'], 35),
    ],
  },
];

export const LEAVES: readonly (LeafCategory & { top: number })[] = CATEGORY_TREE.flatMap((top, i) =>
  top.leaves.map((l) => ({ ...l, top: i })),
);

const POSITIVE: PerLanguage<string[]> = {
  pt: ['Produto excelente, chegou antes do prazo.', 'Muito bom, recomendo!', 'Ótima qualidade pelo preço.', 'Igual ao anúncio, vendedor atencioso.', 'Superou minhas expectativas.'],
  es: ['Excelente producto, llegó antes de lo previsto.', 'Muy bueno, lo recomiendo.', 'Buena calidad por el precio.', 'Tal cual la publicación, vendedor atento.', 'Superó mis expectativas.'],
};
const NEUTRAL: PerLanguage<string[]> = {
  pt: ['Cumpre o que promete, nada de especial.', 'Bom, mas a embalagem veio amassada.', 'Razoável para o preço.'],
  es: ['Cumple, nada especial.', 'Bien, pero el empaque llegó golpeado.', 'Aceptable para el precio.'],
};
const NEGATIVE: PerLanguage<string[]> = {
  pt: ['Veio com defeito, precisei devolver.', 'Qualidade ruim, não recomendo.', 'Diferente da foto.'],
  es: ['Vino con fallas, tuve que devolverlo.', 'Mala calidad, no lo recomiendo.', 'Distinto a la foto.'],
};

/** A review comment for a rating of 1 to 5. */
export function reviewComment(language: Language, rating: number, n: number): string {
  const pool = rating >= 4 ? POSITIVE[language] : rating === 3 ? NEUTRAL[language] : NEGATIVE[language];
  return pool[n % pool.length]!;
}

export const QUESTIONS: PerLanguage<readonly string[]> = {
  pt: ['Tem pronta entrega?', 'Serve para 220V?', 'Qual é a garantia?', 'Vem com nota fiscal?', 'Tem em outra cor?', 'Faz envio para o Nordeste?'],
  es: ['¿Tenés stock disponible?', '¿Funciona con 220V?', '¿Cuánto tiempo de garantía tiene?', '¿Hacen factura?', '¿Lo tienen en otro color?', '¿Hacen envíos al interior?'],
};

export const ANSWERS: PerLanguage<readonly string[]> = {
  pt: ['Olá! Sim, temos pronta entrega. Aguardamos sua compra.', 'Olá! Sim, é bivolt.', 'Olá! Garantia de 12 meses do fabricante.', 'Olá! Sim, enviamos nota fiscal.', 'Olá! No momento só nesta cor.', 'Olá! Enviamos para todo o Brasil.'],
  es: ['¡Hola! Sí, tenemos stock. Te esperamos.', '¡Hola! Sí, es 220V.', '¡Hola! Tiene 12 meses de garantía oficial.', '¡Hola! Sí, hacemos factura A y B.', '¡Hola! Por ahora solo en este color.', '¡Hola! Enviamos a todo el país.'],
};

export const BUYER_MESSAGES: PerLanguage<readonly string[]> = {
  pt: ['Olá, quando será enviado meu pedido?', 'O código de rastreio não atualiza.', 'Posso trocar o tamanho?', 'Recebi, obrigado!'],
  es: ['Hola, ¿cuándo despachan mi pedido?', 'El código de seguimiento no se actualiza.', '¿Puedo cambiar el talle?', '¡Recibido, gracias!'],
};

export const SELLER_MESSAGES: PerLanguage<readonly string[]> = {
  pt: ['Olá! Seu pedido será enviado hoje.', 'Olá! Já verificamos com a transportadora.', 'Claro, pode solicitar a troca pelo site.', 'Obrigado pela compra!'],
  es: ['¡Hola! Tu pedido sale hoy.', '¡Hola! Ya lo consultamos con el correo.', 'Claro, podés pedir el cambio desde la web.', '¡Gracias por tu compra!'],
};

export const STORE_SUFFIXES: PerLanguage<readonly string[]> = {
  pt: ['Store', 'Shop', 'Oficial', 'Distribuidora', 'Importados', 'Express'],
  es: ['Store', 'Shop', 'Oficial', 'Distribuidora', 'Importados', 'Express'],
};

export const CAMPAIGN_NAMES: PerLanguage<readonly string[]> = {
  pt: ['Black Friday', 'Dia das Mães', 'Volta às Aulas', 'Natal', 'Cyber Monday', 'Liquidação de Inverno'],
  es: ['Black Friday', 'Día de la Madre', 'Vuelta a Clases', 'Navidad', 'Cyber Monday', 'Hot Sale'],
};
