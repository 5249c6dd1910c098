/**
 * A small marketplace made through the library itself, unique per call (its emails, store
 * names, categories and coupon codes carry a tag), so that tests sharing one database never
 * see each other's rows: two buyers, two sellers with a store each, a marketing specialist, a
 * category, four listings and two coupons.
 */
import { expect } from 'vitest';
import { createCoupon, openStore, publishListing, registerUser, ROLE, type EcomdbError, type ErrorCode } from '../../src/access/index.ts';
import type { SiteId } from '../../schema/values.ts';
import type { Target } from './targets.ts';

/** A PHC string of the shape registerUser() accepts (a real hash is not needed to test the library). */
/** A real argon2id hash (low cost) of the password `fixture password`. */
export const HASH = '$argon2id$v=19$m=64,p=1,t=1$ZWNvbWRiLWZpeHR1cmUtMQ$HADeydS3OldCnzbTgLt7qfm29N2MLswiq6+jXMwZ0fA';

let made = 0;

export interface World {
  readonly region: SiteId;
  readonly tag: string;
  readonly buyer: number;
  readonly buyer2: number;
  readonly seller: number;
  readonly seller2: number;
  readonly marketer: number;
  readonly store: number;
  readonly store2: number;
  readonly category: number;
  readonly topCategory: number;
  /** store: 1000.00, 10 units, alert at 2. */
  readonly phone: number;
  /** store: 50.00, 3 units, alert at 5 (so under its threshold from the start). */
  readonly cable: number;
  /** store: 80.00, 100 units. */
  readonly charger: number;
  /** store2: 200.00, 5 units. */
  readonly headset: number;
  /** 10 % off, 5 uses. */
  readonly percentCoupon: string;
  /** 30.00 off, 1 use. */
  readonly fixedCoupon: string;
}

const TEXTS: Record<'es' | 'pt', { phone: string; cable: string; charger: string; headset: string; description: string }> = {
  es: {
    phone: 'Celular Samsung Galaxy A15 128GB negro',
    cable: 'Cable USB-C reforzado de 2 metros',
    charger: 'Cargador rápido USB-C 25W para celulares',
    headset: 'Auriculares inalámbricos con cancelación de ruido',
    description: 'Producto nuevo, con garantía y envío a todo el país.',
  },
  pt: {
    phone: 'Celular Samsung Galaxy A15 128GB preto',
    cable: 'Cabo USB-C reforçado de 2 metros',
    charger: 'Carregador rápido USB-C 25W para celulares',
    headset: 'Fones de ouvido sem fio com cancelamento de ruído',
    description: 'Produto novo, com garantia e envio para todo o país.',
  },
};

export async function makeWorld(t: Target, region: SiteId = 'MLA'): Promise<World> {
  const tag = `${process.pid.toString(36)}x${(made++).toString(36)}`.toUpperCase();
  const address = { streetLine: 'Av. Corrientes 1234', city: 'Buenos Aires', state: 'CABA', postalCode: 'C1043AAZ' };
  const user = (name: string, role: 'user' | 'seller' = 'user') =>
    registerUser(t.db, { region, name, email: `${name}.${tag}@example.com`.toLowerCase(), passwordHash: HASH, role, address }).then((r) => r.userId);
  const [buyer, buyer2, seller, seller2] = [await user('ana'), await user('bruno'), await user('carla', 'seller'), await user('diego', 'seller')];
  // Staff accounts are not self-service: made by hand, as an administrator would.
  const [marketer] = await t.query<{ id: string }>(
    `insert into user_management.users (region, role_id, name, email, password_hash) values ($1, $2, 'Eva', $3, $4) returning id`,
    [region, ROLE.marketing_specialist, `eva.${tag}@example.com`.toLowerCase(), HASH],
  );
  const store = (await openStore(t.db, { region, sellerId: seller, name: `Tienda ${tag}` })).storeId;
  const store2 = (await openStore(t.db, { region, sellerId: seller2, name: `Otra ${tag}` })).storeId;
  const [top] = await t.query<{ id: number }>(`insert into product_catalog.categories (parent_id, name, description) values (null, $1, 'Electrónica') returning id`, [`Electrónica ${tag}`]);
  const [leaf] = await t.query<{ id: number }>(`insert into product_catalog.categories (parent_id, name, description) values ($1, $2, 'Celulares y accesorios') returning id`, [top!.id, `Celulares ${tag}`]);
  const words = TEXTS[region === 'MLB' ? 'pt' : 'es'];
  const listing = (sellerId: number, storeId: number, title: string, price: string, stock: number, lowStockThreshold: number) =>
    publishListing(t.db, { region, sellerId, storeId, categoryId: leaf!.id, title, description: words.description, price, stock, lowStockThreshold }).then((r) => r.productId);
  const phone = await listing(seller, store, words.phone, '1000.00', 10, 2);
  const cable = await listing(seller, store, words.cable, '50.00', 3, 5);
  const charger = await listing(seller, store, words.charger, '80.00', 100, 5);
  const headset = await listing(seller2, store2, words.headset, '200.00', 5, 1);
  const percentCoupon = `P10-${tag}`;
  const fixedCoupon = `F30-${tag}`;
  const expiresAt = new Date(Date.now() + 30 * 86_400_000);
  await createCoupon(t.db, { region, actorId: Number(marketer!.id), code: percentCoupon, percentage: 10, maxUses: 5, expiresAt });
  await createCoupon(t.db, { region, actorId: Number(marketer!.id), code: fixedCoupon, fixedAmount: '30.00', maxUses: 1, expiresAt });
  return {
    region, tag, buyer, buyer2, seller, seller2, marketer: Number(marketer!.id), store, store2,
    category: leaf!.id, topCategory: top!.id, phone, cable, charger, headset, percentCoupon, fixedCoupon,
  };
}

/** Expect `work` to be refused with `code`; returns the error for further checks. */
export async function refused(work: Promise<unknown>, code: ErrorCode): Promise<EcomdbError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}, but it succeeded`).toBeDefined();
  expect((error as EcomdbError).code, String((error as Error).message)).toBe(code);
  return error as EcomdbError;
}

/** A product's stock, price and open alert, read directly. */
export async function productRow(t: Target, region: SiteId, productId: number) {
  const [row] = await t.query<{ stock: number; price: string; status: string; low_stock_since: Date | string | null }>(
    `select stock, price::text as price, status::text as status, low_stock_since from product_catalog.products where region = $1 and id = $2`,
    [region, productId],
  );
  return row!;
}
