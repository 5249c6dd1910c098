/**
 * The words of the marketplace, per language: the category tree, what is sold in each leaf,
 * and what buyers and sellers write. Hand-written so that a seeded database reads like a real
 * one (faker's product names are random adjective-noun pairs). Texts are templates: a greeting,
 * a body that fits the product or the order's state, and a closing, combined per row, so that a
 * site shows hundreds of distinct sentences. Spanish templates write the second person as
 * `{vos|tú}`: Argentina and Uruguay read the first (voseo), the other Spanish-speaking sites
 * the second.
 */
import type { Language } from './locales.ts';

type PerLanguage<T> = Record<Language, T>;

/** What kind of thing a leaf sells: it decides which questions make sense (voltage, size ...). */
export type Kind = 'electronic' | 'appliance' | 'furniture' | 'clothing' | 'bike' | 'fitness' | 'beauty';

export interface LeafCategory {
  readonly name: string;
  readonly description: string;
  /** What a listing is called, per language. */
  readonly nouns: PerLanguage<readonly string[]>;
  readonly brands: readonly string[];
  /** What tells one listing from another (size, colour, capacity), per language. */
  readonly variantsByLanguage: PerLanguage<readonly string[]>;
  /** Typical price in US dollars. */
  readonly usd: number;
  readonly kind: Kind;
  /** Share of the catalogue's listings (relative). */
  readonly weight: number;
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
  variants: { pt: string[]; es: string[] },
  usd: number,
  kind: Kind,
  weight: number,
): LeafCategory => ({ name, description, nouns: { pt, es }, brands, variantsByLanguage: variants, usd, kind, weight });

/** Category names are global (one tree for every site), written in Spanish as on the corporate site. */
export const CATEGORY_TREE: readonly TopCategory[] = [
  {
    name: 'Tecnología', description: 'Phones, computers, games and electronics.',
    leaves: [
      leaf('Celulares y Smartphones', 'Mobile phones.', ['Celular', 'Smartphone'], ['Celular', 'Smartphone'],
        ['Samsung Galaxy A55', 'Motorola Moto G84', 'Xiaomi Redmi Note 13', 'iPhone 13', 'Motorola Edge 50'],
        { pt: ['128 GB', '256 GB', '8 GB RAM', 'Dual Chip', 'Preto', 'Azul'], es: ['128 GB', '256 GB', '8 GB RAM', 'Dual SIM', 'Negro', 'Azul'] }, 320, 'electronic', 16),
      leaf('Notebooks', 'Laptops and netbooks.', ['Notebook', 'Notebook Gamer'], ['Notebook', 'Laptop'],
        ['Lenovo IdeaPad 3', 'Dell Inspiron 15', 'Acer Aspire 5', 'Asus Vivobook 15', 'HP 250 G9'],
        { pt: ['Core i5 8GB', 'Ryzen 5 16GB', 'SSD 512GB', '15.6"'], es: ['Core i5 8GB', 'Ryzen 5 16GB', 'SSD 512GB', '15.6"'] }, 650, 'electronic', 6),
      leaf('Consolas', 'Video game consoles.', ['Console', 'Video Game'], ['Consola', 'Videojuego'],
        ['PlayStation 5', 'Xbox Series S', 'Nintendo Switch OLED', 'Xbox Series X'],
        { pt: ['Standard', 'Digital', '1 TB', 'com 2 Controles'], es: ['Standard', 'Digital', '1 TB', 'con 2 Joysticks'] }, 480, 'electronic', 3),
      leaf('Auriculares', 'Headphones and earbuds.', ['Fone de Ouvido', 'Headset'], ['Auriculares', 'Audífonos'],
        ['JBL Tune 520BT', 'Sony WH-CH520', 'Xiaomi Redmi Buds 4', 'Edifier W820NB'],
        { pt: ['Bluetooth', 'Preto', 'Branco', 'In-ear'], es: ['Bluetooth', 'Negro', 'Blanco', 'In-ear'] }, 45, 'electronic', 10),
    ],
  },
  {
    name: 'Hogar y Muebles', description: 'Furniture, kitchen and home.',
    leaves: [
      leaf('Cocina', 'Cookware and small kitchen appliances.', ['Panela', 'Air Fryer', 'Liquidificador'], ['Olla', 'Freidora de Aire', 'Licuadora'],
        ['Tramontina', 'Mondial', 'Oster', 'Philips Walita', 'T-fal'],
        { pt: ['4 L', '5 L', '110V', '220V', 'Inox'], es: ['4 L', '5 L', '110V', '220V', 'Acero Inoxidable'] }, 60, 'appliance', 12),
      leaf('Muebles', 'Furniture.', ['Sofá', 'Mesa de Jantar', 'Guarda-roupa'], ['Sillón', 'Mesa de Comedor', 'Ropero'],
        ['Madesa', 'Tok&Stok', 'Mobly', 'Ikea'],
        { pt: ['3 Lugares', '6 Cadeiras', 'Branco', 'Nogueira'], es: ['3 Cuerpos', '6 Sillas', 'Blanco', 'Nogal'] }, 280, 'furniture', 5),
      leaf('Iluminación', 'Lamps and bulbs.', ['Luminária', 'Lâmpada LED'], ['Lámpara', 'Foco LED'],
        ['Philips', 'Osram', 'Taschibra', 'Xiaomi'],
        { pt: ['9W', 'Kit 10', 'Luz Quente', 'Inteligente'], es: ['9W', 'Pack x10', 'Luz Cálida', 'Inteligente'] }, 18, 'appliance', 6),
    ],
  },
  {
    name: 'Ropa y Accesorios', description: 'Clothes, shoes and accessories.',
    leaves: [
      leaf('Zapatillas', 'Sneakers and running shoes.', ['Tênis', 'Tênis de Corrida'], ['Zapatillas', 'Tenis'],
        ['Nike Revolution 6', 'Adidas Runfalcon 3', 'Olympikus Corre 3', 'Topper Squat', 'Puma Smash'],
        { pt: ['Tamanho 40', 'Tamanho 42', 'Preto', 'Branco'], es: ['Talle 40', 'Talle 42', 'Negro', 'Blanco'] }, 70, 'clothing', 12),
      leaf('Remeras', 'T-shirts and shirts.', ['Camiseta', 'Camisa Polo'], ['Remera', 'Playera', 'Camisa Polo'],
        ['Hering', 'Lacoste', 'Levi\'s', 'Tommy Hilfiger'],
        { pt: ['Tamanho M', 'Tamanho G', 'Algodão', 'Básica'], es: ['Talle M', 'Talle L', 'Algodón', 'Básica'] }, 25, 'clothing', 10),
      leaf('Mochilas', 'Backpacks and bags.', ['Mochila', 'Bolsa'], ['Mochila', 'Bolso'],
        ['Samsonite', 'Jansport', 'Xtrem', 'Swissland'],
        { pt: ['30 L', 'Notebook 15.6"', 'Impermeável', 'Preta'], es: ['30 L', 'Notebook 15.6"', 'Impermeable', 'Negra'] }, 40, 'clothing', 5),
    ],
  },
  {
    name: 'Deportes y Fitness', description: 'Sports equipment and fitness.',
    leaves: [
      leaf('Bicicletas', 'Bicycles.', ['Bicicleta', 'Bike Aro 29'], ['Bicicleta', 'Mountain Bike'],
        ['Caloi', 'Oggi', 'Venzo', 'Trek Marlin 5'],
        { pt: ['Aro 29', '21 Marchas', 'Alumínio', 'Aro 26'], es: ['Rodado 29', '21 Velocidades', 'Aluminio', 'Rodado 26'] }, 420, 'bike', 3),
      leaf('Fitness', 'Weights and training.', ['Kit Halteres', 'Esteira Ergométrica'], ['Mancuernas', 'Cinta de Correr'],
        ['Kikos', 'Athletic', 'Randers', 'Movement'],
        { pt: ['10 kg', '20 kg', 'Dobrável', 'Profissional'], es: ['10 kg', '20 kg', 'Plegable', 'Profesional'] }, 150, 'fitness', 4),
    ],
  },
  {
    name: 'Belleza y Cuidado Personal', description: 'Beauty and personal care.',
    leaves: [
      leaf('Perfumes', 'Perfumes.', ['Perfume', 'Colônia'], ['Perfume', 'Eau de Parfum'],
        ['Natura Essencial', 'Boticário Malbec', 'Carolina Herrera 212', 'Antonio Banderas Blue Seduction'],
        { pt: ['100 ml', '50 ml', 'Masculino', 'Feminino'], es: ['100 ml', '50 ml', 'Masculino', 'Femenino'] }, 55, 'beauty', 6),
      leaf('Cuidado del Cabello', 'Hair care and dryers.', ['Secador de Cabelo', 'Chapinha'], ['Secador de Pelo', 'Planchita'],
        ['Taiff', 'Gama Italy', 'Remington', 'Philips'],
        { pt: ['2000W', 'Bivolt', 'Íons', 'Cerâmica'], es: ['2000W', '220V', 'Iónico', 'Cerámica'] }, 35, 'appliance', 4),
    ],
  },
];

export const LEAVES: readonly (LeafCategory & { top: number })[] = CATEGORY_TREE.flatMap((top, i) =>
  top.leaves.map((l) => ({ ...l, top: i })),
);

/** Leaf indexes weighted by their share of listings: a lookup table of 100 slots. */
export const LEAF_SLOTS: readonly number[] = (() => {
  const total = LEAVES.reduce((s, l) => s + l.weight, 0);
  const slots: number[] = [];
  for (const [i, l] of LEAVES.entries()) for (let k = 0; k < Math.round((l.weight / total) * 100); k++) slots.push(i);
  return slots;
})();

/** Resolve `{vos|tú}` alternatives for a variety of Spanish (or none, for Portuguese). */
export function voice(text: string, voseo: boolean): string {
  return text.replace(/\{([^|}]*)\|([^}]*)\}/g, (_, vos: string, tu: string) => (voseo ? vos : tu));
}

/** Every combination of parts, joined with spaces (empty parts skipped). */
function combine(...parts: readonly (readonly string[])[]): string[] {
  let out = [''];
  for (const part of parts) out = out.flatMap((a) => part.map((b) => (a && b ? `${a} ${b}` : a || b)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reviews: an opening by rating, what the product was like, how the delivery went.

const REVIEW_OPENING: PerLanguage<Record<'good' | 'fair' | 'bad', string[]>> = {
  pt: {
    good: ['Excelente!', 'Muito bom.', 'Adorei.', 'Recomendo.', 'Perfeito.', 'Nota 10.', 'Gostei muito.'],
    fair: ['Razoável.', 'Bom, mas nada de especial.', 'Cumpre o que promete.', 'Mais ou menos.'],
    bad: ['Não gostei.', 'Decepcionante.', 'Não recomendo.', 'Péssimo.', 'Esperava mais.'],
  },
  es: {
    good: ['¡Excelente!', 'Muy bueno.', 'Me encantó.', 'Lo recomiendo.', 'Perfecto.', 'Diez puntos.', 'Muy conforme.'],
    fair: ['Aceptable.', 'Bien, nada especial.', 'Cumple.', 'Más o menos.'],
    bad: ['No me gustó.', 'Decepcionante.', 'No lo recomiendo.', 'Pésimo.', 'Esperaba más.'],
  },
};

const REVIEW_PRODUCT: PerLanguage<Record<Kind, Record<'good' | 'fair' | 'bad', string[]>>> = {
  pt: {
    electronic: { good: ['A bateria dura o dia todo.', 'Rápido e com ótima tela.', 'Som muito bom.'], fair: ['A bateria podia durar mais.', 'Esquenta um pouco.'], bad: ['Trava o tempo todo.', 'A bateria não dura nada.'] },
    appliance: { good: ['Funciona muito bem.', 'Fácil de usar e limpar.', 'Potente e silencioso.'], fair: ['Faz barulho, mas funciona.', 'Um pouco menor do que eu pensava.'], bad: ['Parou de funcionar na primeira semana.', 'Esquenta demais.'] },
    furniture: { good: ['Fácil de montar e firme.', 'Bonito e resistente.'], fair: ['A montagem deu trabalho.', 'A cor é um pouco diferente.'], bad: ['Chegou com peças faltando.', 'Madeira de baixa qualidade.'] },
    clothing: { good: ['Tamanho certinho.', 'Tecido de ótima qualidade.', 'Muito confortável.'], fair: ['Veste um pouco pequeno.', 'O tecido é fino.'], bad: ['O tamanho não confere.', 'Desbotou na primeira lavagem.'] },
    bike: { good: ['Leve e muito confortável.', 'As marchas funcionam perfeitamente.'], fair: ['Precisei regular os freios.', 'O banco é duro.'], bad: ['Veio com o aro torto.', 'As marchas não funcionam bem.'] },
    fitness: { good: ['Muito firme, ótimo para treinar em casa.', 'Boa qualidade.'], fair: ['Ocupa bastante espaço.', 'Poderia ser mais robusto.'], bad: ['Quebrou rápido.', 'Material fraco.'] },
    beauty: { good: ['O cheiro é maravilhoso e fixa bem.', 'Original, igual ao da loja.'], fair: ['A fixação é média.', 'Cheiro mais fraco do que eu esperava.'], bad: ['Não parece original.', 'Não fixa nada.'] },
  },
  es: {
    electronic: { good: ['La batería dura todo el día.', 'Rápido y con muy buena pantalla.', 'Suena muy bien.'], fair: ['La batería podría durar más.', 'Calienta un poco.'], bad: ['Se traba todo el tiempo.', 'La batería no dura nada.'] },
    appliance: { good: ['Funciona muy bien.', 'Fácil de usar y de limpiar.', 'Potente y silencioso.'], fair: ['Hace ruido, pero funciona.', 'Un poco más chico de lo que pensaba.'], bad: ['Dejó de funcionar a la semana.', 'Calienta demasiado.'] },
    furniture: { good: ['Fácil de armar y firme.', 'Lindo y resistente.'], fair: ['Armarlo llevó trabajo.', 'El color es un poco distinto.'], bad: ['Llegó con piezas faltantes.', 'Madera de mala calidad.'] },
    clothing: { good: ['La medida es justa.', 'Tela de muy buena calidad.', 'Muy cómodo.'], fair: ['Calza un poco chico.', 'La tela es finita.'], bad: ['La medida no coincide.', 'Se destiñó en el primer lavado.'] },
    bike: { good: ['Liviana y muy cómoda.', 'Los cambios andan perfecto.'], fair: ['Tuve que ajustar los frenos.', 'El asiento es duro.'], bad: ['Vino con la rueda torcida.', 'Los cambios no andan bien.'] },
    fitness: { good: ['Muy firme, ideal para entrenar en casa.', 'Buena calidad.'], fair: ['Ocupa bastante lugar.', 'Podría ser más robusto.'], bad: ['Se rompió enseguida.', 'Material débil.'] },
    beauty: { good: ['El aroma es hermoso y dura.', 'Original, igual al de la tienda.'], fair: ['La duración es media.', 'Aroma más suave de lo que esperaba.'], bad: ['No parece original.', 'No dura nada.'] },
  },
};

const REVIEW_DELIVERY: PerLanguage<Record<'fast' | 'normal' | 'slow', string[]>> = {
  pt: { fast: ['Chegou antes do prazo.', 'Entrega super rápida.', 'Chegou no dia seguinte.'], normal: ['Chegou no prazo.', ''], slow: ['Demorou muito para chegar.', 'A entrega atrasou.'] },
  es: { fast: ['Llegó antes de lo previsto.', 'Envío rapidísimo.', 'Llegó al otro día.'], normal: ['Llegó en fecha.', ''], slow: ['Tardó mucho en llegar.', 'El envío se demoró.'] },
};

export type Band = 'good' | 'fair' | 'bad';
export type Speed = 'fast' | 'normal' | 'slow';

/** The parts of a review comment: an opening by rating band, a sentence on the product, one on the delivery. */
export function reviewParts(language: Language): { opening: Record<Band, string[]>; product: Record<Kind, Record<Band, string[]>>; delivery: Record<Speed, string[]> } {
  return { opening: REVIEW_OPENING[language], product: REVIEW_PRODUCT[language], delivery: REVIEW_DELIVERY[language] };
}

/** Every comment a review can get for a product kind, a rating band and a delivery speed (for the report and tests). */
export function reviewComments(language: Language, kind: Kind, band: Band, speed: Speed): string[] {
  // A good rating rarely blames the delivery: it gets the ordinary delivery phrases.
  const delivery = band === 'good' && speed === 'slow' ? REVIEW_DELIVERY[language].normal : REVIEW_DELIVERY[language][speed];
  return combine(REVIEW_OPENING[language][band], REVIEW_PRODUCT[language][kind][band], delivery);
}

// ---------------------------------------------------------------------------------------------
// Questions before buying, with the seller's answer: general ones and ones for the product's kind.

interface Topic {
  readonly q: string;
  readonly a: string;
}
const t = (q: string, a: string): Topic => ({ q, a });

const GENERAL_TOPICS: PerLanguage<Topic[]> = {
  pt: [
    t('Tem pronta entrega?', 'Sim, temos pronta entrega.'), t('Qual é a garantia?', 'A garantia é de 12 meses do fabricante.'),
    t('Vem com nota fiscal?', 'Sim, enviamos nota fiscal.'), t('Faz envio para o Nordeste?', 'Enviamos para todo o Brasil.'),
    t('É original?', 'Sim, produto original e lacrado.'), t('Quanto tempo demora para chegar em Curitiba?', 'Em média de 3 a 5 dias úteis.'),
    t('Aceita parcelamento sem juros?', 'Sim, em até 10x sem juros no cartão.'), t('Dá para retirar pessoalmente?', 'Trabalhamos só com envio.'),
  ],
  es: [
    t('¿{Tenés|Tienes} stock?', 'Sí, tenemos stock disponible.'), t('¿Cuánto tiempo de garantía tiene?', 'Tiene 12 meses de garantía oficial.'),
    t('¿Hacen factura?', 'Sí, facturamos todas las ventas.'), t('¿Hacen envíos al interior?', 'Enviamos a todo el país.'),
    t('¿Es original?', 'Sí, producto original y sellado.'), t('¿Cuánto tarda en llegar?', 'Entre 2 y 5 días hábiles.'),
    t('¿Se puede pagar en cuotas sin interés?', 'Sí, hasta 6 cuotas sin interés con tarjeta.'), t('¿Se puede retirar en persona?', 'Solo hacemos envíos.'),
  ],
};

const KIND_TOPICS: PerLanguage<Record<Kind, Topic[]>> = {
  pt: {
    electronic: [t('É desbloqueado para qualquer operadora?', 'Sim, é desbloqueado.'), t('Vem com carregador?', 'Vem com cabo; o carregador é vendido à parte.'), t('Tem versão com mais memória?', 'No momento só esta versão.')],
    appliance: [t('Serve para 220V?', 'Temos as versões 110V e 220V; escolha na compra.'), t('É bivolt?', 'Não, escolha a voltagem na compra.'), t('Qual a potência?', 'A potência está na descrição do anúncio.')],
    furniture: [t('Vem montado?', 'Vem desmontado, com manual.'), t('Quais são as medidas?', 'As medidas estão nas fotos do anúncio.')],
    clothing: [t('Tem tamanho M?', 'Temos do P ao GG.'), t('Tem em outra cor?', 'Temos em preto, branco e azul.'), t('A forma é pequena?', 'A forma é normal, peça o seu tamanho de sempre.')],
    bike: [t('Serve para uma pessoa de 1,80 m?', 'Sim, o quadro 19 serve bem.'), t('Vem montada?', 'Vem 90% montada.')],
    fitness: [t('Qual o peso máximo suportado?', 'Suporta até 120 kg.'), t('Dobra para guardar?', 'Sim, é dobrável.')],
    beauty: [t('É o frasco de 100 ml?', 'Sim, 100 ml.'), t('Tem data de validade longa?', 'Validade de mais de dois anos.'), t('É a versão masculina?', 'Temos as duas versões.')],
  },
  es: {
    electronic: [t('¿Es liberado para cualquier compañía?', 'Sí, es liberado.'), t('¿Trae cargador?', 'Trae cable; el cargador se vende aparte.'), t('¿Lo {tenés|tienes} con más memoria?', 'Por ahora solo esta versión.')],
    appliance: [t('¿Funciona con 220V?', 'Sí, es 220V.'), t('¿Qué potencia tiene?', 'La potencia está en la descripción.'), t('¿Trae manual en español?', 'Sí, trae manual en español.')],
    furniture: [t('¿Viene armado?', 'Viene desarmado, con instructivo.'), t('¿Qué medidas tiene?', 'Las medidas están en las fotos.')],
    clothing: [t('¿Hay {talle|talla} M?', 'Tenemos del S al XL.'), t('¿Lo {tenés|tienes} en otro color?', 'Tenemos negro, blanco y azul.'), t('¿Calza chico?', 'Calza normal, {pedí|pide} {tu|tu} {talle|talla} de siempre.')],
    bike: [t('¿Sirve para alguien de 1,80 m?', 'Sí, el cuadro 19 va bien.'), t('¿Viene armada?', 'Viene armada al 90 %.')],
    fitness: [t('¿Qué peso máximo soporta?', 'Soporta hasta 120 kg.'), t('¿Se pliega para guardar?', 'Sí, es plegable.')],
    beauty: [t('¿Es el frasco de 100 ml?', 'Sí, 100 ml.'), t('¿Tiene vencimiento largo?', 'Vence en más de dos años.'), t('¿Es la versión masculina?', 'Tenemos las dos versiones.')],
  },
};

const Q_GREETING: PerLanguage<string[]> = { pt: ['', 'Olá!', 'Boa tarde!', 'Oi,', 'Bom dia!'], es: ['', '¡Hola!', 'Buenas tardes.', 'Hola,', 'Buen día.'] };
const Q_CLOSING: PerLanguage<string[]> = { pt: ['', 'Obrigado!', 'Aguardo.', 'Obrigada.'], es: ['', '¡Gracias!', 'Saludos.', 'Muchas gracias.'] };
const A_GREETING: PerLanguage<string[]> = { pt: ['Olá!', 'Oi!', 'Olá, tudo bem?', 'Bom dia!'], es: ['¡Hola!', 'Hola, ¿cómo estás?', '¡Buenas!', 'Buen día.'] };
const A_CLOSING: PerLanguage<string[]> = {
  pt: ['Aguardamos sua compra.', 'Qualquer dúvida, estamos à disposição.', 'Obrigado pela pergunta!', ''],
  es: ['{Te esperamos|Te esperamos}.', 'Cualquier duda, {consultanos|consúltanos}.', '¡Gracias por {tu|tu} consulta!', ''],
};

/** The question topics for a product kind (general first, then the kind's own). */
export function topics(language: Language, kind: Kind): readonly Topic[] {
  return [...GENERAL_TOPICS[language], ...KIND_TOPICS[language][kind]];
}

export function questionText(language: Language, topic: Topic, n: number): string {
  const g = Q_GREETING[language];
  const c = Q_CLOSING[language];
  return [g[n % g.length], topic.q, c[Math.floor(n / g.length) % c.length]].filter(Boolean).join(' ');
}

export function answerText(language: Language, topic: Topic, n: number): string {
  const g = A_GREETING[language];
  const c = A_CLOSING[language];
  return [g[n % g.length], topic.a, c[Math.floor(n / g.length) % c.length]].filter(Boolean).join(' ');
}

// ---------------------------------------------------------------------------------------------
// Conversations: what a buyer writes depends on where the order stands; the seller answers it.

export type ConversationState = 'pre_sale' | 'unpaid' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

const BUYER: PerLanguage<Record<ConversationState, string[]>> = {
  pt: {
    pre_sale: ['Vocês têm esse modelo em outra cor?', 'Consigo retirar hoje?', 'Fazem desconto para duas unidades?', 'Qual o prazo de entrega para o meu CEP?'],
    unpaid: ['Paguei o boleto, quando compensa?', 'Fiz o Pix agora, podem confirmar?', 'O pagamento ainda aparece como pendente.'],
    paid: ['Quando será enviado meu pedido?', 'Já foi despachado?', 'Consegue enviar ainda hoje?'],
    shipped: ['O código de rastreio não atualiza.', 'Qual a previsão de entrega?', 'A transportadora diz que está em trânsito há dias.'],
    delivered: ['Recebi, obrigado!', 'Chegou certinho, obrigado.', 'Veio com um pequeno risco, é normal?', 'Como faço para trocar o tamanho?'],
    cancelled: ['Por que meu pedido foi cancelado?', 'Quando recebo o estorno?', 'Cancelei por engano, dá para refazer?'],
    refunded: ['Já devolvi o produto, quando cai o reembolso?', 'O produto veio com defeito, quero devolver.', 'O pacote não chegou, e agora?'],
  },
  es: {
    pre_sale: ['¿Lo {tenés|tienes} en otro color?', '¿Puedo retirarlo hoy?', '¿Me hacen precio por dos unidades?', '¿Cuánto tarda el envío a mi código postal?'],
    unpaid: ['Ya pagué en efectivo, ¿cuándo se acredita?', 'Hice la transferencia, ¿me confirman?', 'El pago sigue apareciendo como pendiente.'],
    paid: ['¿Cuándo despachan mi pedido?', '¿Ya salió mi compra?', '¿Lo pueden enviar hoy?'],
    shipped: ['El código de seguimiento no se actualiza.', '¿Para cuándo llega?', 'El correo dice que está en camino hace días.'],
    delivered: ['¡Recibido, gracias!', 'Llegó perfecto, gracias.', 'Vino con un pequeño raspón, ¿es normal?', '¿Cómo hago para cambiar el {talle|talla}?'],
    cancelled: ['¿Por qué se canceló mi pedido?', '¿Cuándo me devuelven el dinero?', 'Lo cancelé por error, ¿se puede rehacer?'],
    refunded: ['Ya devolví el producto, ¿cuándo se acredita el reembolso?', 'El producto vino fallado, quiero devolverlo.', 'El paquete nunca llegó, ¿qué hago?'],
  },
};

const SELLER: PerLanguage<Record<ConversationState, string[]>> = {
  pt: {
    pre_sale: ['Temos sim, é só escolher no anúncio.', 'Trabalhamos só com envio, mas é rápido.', 'Para duas unidades o frete sai grátis.'],
    unpaid: ['O boleto compensa em até 3 dias úteis.', 'Assim que o pagamento for aprovado enviamos.', 'Ainda não recebemos a confirmação do pagamento.'],
    paid: ['Seu pedido será enviado hoje.', 'Sai amanhã cedo.', 'Já estamos separando seu pedido.'],
    shipped: ['Já verificamos com a transportadora.', 'A previsão é de 2 a 3 dias úteis.', 'O rastreio costuma atualizar em 24 horas.'],
    delivered: ['Obrigado pela compra!', 'Que bom que chegou bem!', 'Pode solicitar a troca pelo site, sem custo.'],
    cancelled: ['O pagamento não foi aprovado, por isso o cancelamento.', 'O estorno aparece na próxima fatura.', 'Pode fazer uma nova compra quando quiser.'],
    refunded: ['Recebemos a devolução, o reembolso já foi feito.', 'Sentimos muito, já solicitamos o reembolso.', 'Abrimos uma reclamação com a transportadora e reembolsamos.'],
  },
  es: {
    pre_sale: ['Sí, {elegilo|elígelo} en la publicación.', 'Solo hacemos envíos, pero son rápidos.', 'Por dos unidades el envío es gratis.'],
    unpaid: ['El pago en efectivo se acredita en hasta 2 días hábiles.', 'Apenas se apruebe el pago lo enviamos.', 'Todavía no recibimos la confirmación del pago.'],
    paid: ['{Tu|Tu} pedido sale hoy.', 'Sale mañana temprano.', 'Ya estamos preparando {tu|tu} pedido.'],
    shipped: ['Ya lo consultamos con el correo.', 'Llega en 2 o 3 días hábiles.', 'El seguimiento suele actualizarse en 24 horas.'],
    delivered: ['¡Gracias por {tu|tu} compra!', '¡Qué bueno que llegó bien!', '{Podés|Puedes} pedir el cambio desde la web, sin costo.'],
    cancelled: ['El pago no se aprobó, por eso se canceló.', 'El reintegro se ve en el próximo resumen.', '{Podés|Puedes} volver a comprarlo cuando quieras.'],
    refunded: ['Recibimos la devolución, ya se hizo el reembolso.', 'Lo sentimos, ya pedimos el reembolso.', 'Hicimos el reclamo al correo y te devolvimos el dinero.'],
  },
};

const M_GREETING: PerLanguage<string[]> = { pt: ['', 'Olá,', 'Oi,', 'Boa noite,'], es: ['', 'Hola,', 'Buenas,', 'Buen día,'] };
const lowerFirst = (s: string) => (/^[¿¡]/.test(s) ? s[0]! + s[1]!.toLowerCase() + s.slice(2) : s[0]!.toLowerCase() + s.slice(1));

const M_CLOSING: PerLanguage<Record<'buyer' | 'seller', string[]>> = {
  pt: { buyer: ['', 'Obrigado.', 'Aguardo retorno.', 'Abraço.'], seller: ['', 'Abraço!', 'Estamos à disposição.', 'Equipe de atendimento.'] },
  es: { buyer: ['', 'Gracias.', 'Quedo atento.', 'Saludos.'], seller: ['', '¡Saludos!', 'Quedamos a disposición.', 'Equipo de atención.'] },
};

/** A buyer's (k even) or seller's message of a conversation in state `state`: greeting, body, closing. */
export function messageText(language: Language, state: ConversationState, fromBuyer: boolean, n: number): string {
  const pool = (fromBuyer ? BUYER : SELLER)[language][state];
  const body = pool[n % pool.length]!;
  const greetings = M_GREETING[language];
  const closings = M_CLOSING[language][fromBuyer ? 'buyer' : 'seller'];
  const g = greetings[Math.floor(n / pool.length) % greetings.length]!;
  const c = closings[Math.floor(n / pool.length / greetings.length) % closings.length]!;
  return [g ? `${g} ${lowerFirst(body)}` : body, c].filter(Boolean).join(' ');
}

export const STORE_SUFFIXES: PerLanguage<readonly string[]> = {
  pt: ['Store', 'Shop', 'Oficial', 'Distribuidora', 'Importados', 'Express'],
  es: ['Store', 'Shop', 'Oficial', 'Distribuidora', 'Importados', 'Express'],
};

/** Codes of coupons, per language: the first two are welcome coupons (a buyer's first order only). */
export const COUPON_WORDS: PerLanguage<readonly string[]> = {
  pt: ['BEMVINDO', 'PRIMEIRACOMPRA', 'FRETEGRATIS', 'BLACKFRIDAY', 'CYBER', 'VERAO', 'NATAL', 'OFERTA'],
  es: ['BIENVENIDO', 'PRIMERACOMPRA', 'ENVIOGRATIS', 'BLACKFRIDAY', 'CYBER', 'VERANO', 'NAVIDAD', 'OFERTA'],
};

/** How a welcome coupon's code starts (the data rule recognises them so). */
export const WELCOME_CODE_PATTERN = '^(BIENVENID|BEMVIND|PRIMERACOMPRA|PRIMEIRACOMPRA|WELCOME)';
