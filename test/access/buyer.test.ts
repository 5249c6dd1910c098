/**
 * The buyer's operations on a real database (a PostgreSQL server, the same partitioned by site
 * and month, and PGlite): each does what it says, and refuses bad input with its E_ACCESS_*
 * code, leaving nothing behind. At the end the data rules of `verify` hold over everything the
 * operations wrote.
 */
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAddress,
  cancelOrder,
  messageSeller,
  orderHistory,
  payOrder,
  placeOrder,
  productPage,
  recommendProducts,
  recordSearch,
  refreshBiViews,
  registerUser,
  searchProducts,
  trackOrder,
  askQuestion,
  reviewProduct,
  shipOrder,
  deliverOrder,
  addDiscount,
  hashPassword,
  signIn,
  verifyPassword,
  type AccessDb,
  type PlacedOrder,
} from '../../src/access/index.ts';
import { DATA_RULES } from '../../src/verify/data-rules.ts';
import { runRules } from '../../src/verify/run.ts';
import { openTarget, type Target, type TargetKind } from './targets.ts';
import { HASH, makeWorld, productRow, refused, type World } from './world.ts';

const KINDS: TargetKind[] = ['server', 'partitioned', 'pglite'];

describe.each(KINDS)('buyer operations on %s', (kind) => {
  let t: Target;
  let w: World;
  beforeAll(async () => {
    t = await openTarget(kind, 'access_buyer');
    w = await makeWorld(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Place, pay in full and deliver an order of `quantity` chargers for `buyer`. */
  async function delivered(buyerId: number, productId = w.charger, quantity = 1): Promise<PlacedOrder> {
    const order = await placeOrder(t.db, { region: w.region, buyerId, lines: [{ productId, quantity }] });
    await payOrder(t.db, { region: w.region, buyerId, order, payments: [{ method: 'debit_card', amount: order.total, outcome: 'approved' }] });
    const sellerId = productId === w.headset ? w.seller2 : w.seller;
    await shipOrder(t.db, { region: w.region, sellerId, order, carrier: 'OCA', trackingNumber: `T${order.id}-${w.tag}` });
    await deliverOrder(t.db, { region: w.region, sellerId, order });
    return order;
  }

  describe('registerUser / addAddress', () => {
    it('registers with a default address; the same email again in the site is a conflict, in another site it is not', async () => {
      const email = `Zoe.${w.tag}@Example.com`;
      const r = await registerUser(t.db, { region: 'MLA', name: 'Zoe', email, passwordHash: HASH, address: { streetLine: 'Calle 1', city: 'Rosario', state: 'Santa Fe', postalCode: 'S2000' } });
      expect(r.addressId).not.toBeNull();
      const [row] = await t.query<{ email: string; is_default: boolean }>(
        `select u.email, a.is_default from user_management.users u join user_management.addresses a on a.region = u.region and a.user_id = u.id where u.region = 'MLA' and u.id = $1`,
        [r.userId],
      );
      expect(row).toEqual({ email: email.toLowerCase(), is_default: true });
      await refused(registerUser(t.db, { region: 'MLA', name: 'Zoe 2', email: email.toUpperCase(), passwordHash: HASH }), 'E_ACCESS_CONFLICT');
      await registerUser(t.db, { region: 'MLM', name: 'Zoe', email, passwordHash: HASH });
    });

    it('hashPassword makes a salted argon2id PHC string at the production cost that registration accepts and signIn verifies', async () => {
      const passwordHash = await hashPassword('correct horse battery staple');
      expect(passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$[\w+/]{22}\$[\w+/]{43}$/);
      expect(await hashPassword('correct horse battery staple')).not.toBe(passwordHash);
      expect(await verifyPassword(passwordHash, 'correct horse battery staple')).toBe(true);
      expect(await verifyPassword(passwordHash, 'correct horse battery stapler')).toBe(false);
      const email = `sol.${w.tag}@example.com`;
      const { userId } = await registerUser(t.db, { region: w.region, name: 'Sol', email, passwordHash });
      expect(await signIn(t.db, { region: w.region, email: email.toUpperCase(), password: 'correct horse battery staple' })).toEqual({ userId, needsRehash: false });
      // A wrong password and an unknown email are the same refusal.
      const wrong = await refused(signIn(t.db, { region: w.region, email, password: 'Correct horse battery staple' }), 'E_ACCESS_FORBIDDEN');
      const unknown = await refused(signIn(t.db, { region: w.region, email: `nobody.${w.tag}@example.com`, password: 'correct horse battery staple' }), 'E_ACCESS_FORBIDDEN');
      expect(unknown.message).toBe(wrong.message);
      // A password is never trimmed: its spaces are part of it.
      await refused(signIn(t.db, { region: w.region, email, password: ' correct horse battery staple ' }), 'E_ACCESS_FORBIDDEN');
    });

    it('signIn says when a stored hash is below the production cost (a low-cost hash)', async () => {
      const email = `lowcost.${w.tag}@example.com`;
      const { userId } = await registerUser(t.db, { region: w.region, name: 'Lou', email, passwordHash: HASH });
      expect(await signIn(t.db, { region: w.region, email, password: 'fixture password' })).toEqual({ userId, needsRehash: true });
    });

    it('refuses a malformed email, a plaintext password, an unknown site and a staff role, writing nothing', async () => {
      const before = await t.query(`select count(*)::int as n from user_management.users`);
      await refused(registerUser(t.db, { region: 'MLA', name: 'X', email: 'not-an-email', passwordHash: HASH }), 'E_ACCESS_INVALID');
      await refused(registerUser(t.db, { region: 'MLA', name: 'X', email: `x.${w.tag}@example.com`, passwordHash: 'hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2' }), 'E_ACCESS_INVALID');
      // Looks like argon2id but is not one: a 42-character digest, '.' outside base64.
      await refused(registerUser(t.db, { region: 'MLA', name: 'X', email: `x.${w.tag}@example.com`, passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$abc.defghijklmnopqrstu$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP' }), 'E_ACCESS_INVALID');
      await refused(registerUser(t.db, { region: 'XXX' as never, name: 'X', email: `x.${w.tag}@example.com`, passwordHash: HASH }), 'E_ACCESS_INVALID');
      await refused(registerUser(t.db, { region: 'MLA', name: 'X', email: `x.${w.tag}@example.com`, passwordHash: HASH, role: 'dba' as never }), 'E_ACCESS_INVALID');
      expect(await t.query(`select count(*)::int as n from user_management.users`)).toEqual(before);
    });

    it('adds an address that becomes the default; an unknown user is refused', async () => {
      const { addressId } = await addAddress(t.db, { region: w.region, userId: w.buyer2, streetLine: 'Calle 9', city: 'Córdoba', state: 'Córdoba', postalCode: 'X5000', isDefault: true });
      const rows = await t.query<{ id: string; is_default: boolean }>(`select id::text, is_default from user_management.addresses where region = $1 and user_id = $2 order by id`, [w.region, w.buyer2]);
      expect(rows.filter((r) => r.is_default).map((r) => Number(r.id))).toEqual([addressId]);
      await refused(addAddress(t.db, { region: w.region, userId: 999_999, streetLine: 'x', city: 'x', state: 'x', postalCode: 'X5000' }), 'E_ACCESS_NOT_FOUND');
      await refused(addAddress(t.db, { region: w.region, userId: w.buyer2, streetLine: 'x', city: 'x', state: 'x', postalCode: '!' }), 'E_ACCESS_INVALID');
    });
  });

  describe('searchProducts / productPage', () => {
    it('finds by words in the site\'s language (Spanish stems: "cargadores" finds "Cargador"), ranked, filtered by category subtree and price', async () => {
      const hits = await searchProducts(t.db, { region: w.region, words: 'cargadores usb', categoryId: w.topCategory });
      expect(hits.map((h) => h.productId)).toEqual([w.charger]);
      expect(hits[0]).toMatchObject({ title: expect.stringContaining('Cargador'), price: '80.00', finalPrice: '80.00', currency: 'ARS', stock: 100 });
      // Web-search syntax: (usb AND celulares) OR cable; the phone says "celular" but not "usb".
      const usb = await searchProducts(t.db, { region: w.region, words: 'usb celulares or cable', categoryId: w.category });
      expect(usb.map((h) => h.productId).sort()).toEqual([w.charger, w.cable].sort());
      expect(usb[0]!.rank).toBeGreaterThanOrEqual(usb[1]!.rank);
      const cheap = await searchProducts(t.db, { region: w.region, words: 'usb', categoryId: w.category, maxPrice: '60' });
      expect(cheap.map((h) => h.productId)).toEqual([w.cable]);
      expect(await searchProducts(t.db, { region: 'MLM', words: 'samsung', categoryId: w.category })).toEqual([]);
    });

    it('refuses empty words, an inverted price range and a page beyond 100', async () => {
      await refused(searchProducts(t.db, { region: w.region, words: '  ' }), 'E_ACCESS_INVALID');
      await refused(searchProducts(t.db, { region: w.region, words: 'x', minPrice: '10', maxPrice: '5' }), 'E_ACCESS_INVALID');
      await refused(searchProducts(t.db, { region: w.region, words: 'x', limit: 101 }), 'E_ACCESS_INVALID');
      await refused(searchProducts(t.db, { region: w.region, words: 'x', maxPrice: '1.999' }), 'E_ACCESS_INVALID');
    });

    it('the product page shows images, the active discount, stock and the rating summary', async () => {
      await t.query(`insert into product_catalog.product_images (region, product_id, url, position) values ($1, $2, 'https://img.example.com/2.jpg', 2), ($1, $2, 'https://img.example.com/1.jpg', 1)`, [w.region, w.headset]);
      await addDiscount(t.db, { region: w.region, sellerId: w.seller2, productId: w.headset, percentage: 15, endsAt: new Date(Date.now() + 86_400_000) });
      const page = await productPage(t.db, { region: w.region, productId: w.headset });
      expect(page).toMatchObject({
        title: expect.stringContaining('Auriculares'),
        price: '200.00',
        finalPrice: '170.00',
        stock: 5,
        store: { id: w.store2 },
        images: ['https://img.example.com/1.jpg', 'https://img.example.com/2.jpg'],
        discount: { percentage: 15 },
        rating: { count: 0, average: null, stars: [0, 0, 0, 0, 0] },
      });
      await refused(productPage(t.db, { region: w.region, productId: 987_654 }), 'E_ACCESS_NOT_FOUND');
    });
  });

  describe('placeOrder', () => {
    it('reserves stock, snapshots discounted prices, applies a coupon and keeps totals consistent', async () => {
      const coupon = await t.query<{ use_count: number }>(`select use_count from order_processing.coupons where region = $1 and code = $2`, [w.region, w.percentCoupon]);
      const order = await placeOrder(t.db, {
        region: w.region,
        buyerId: w.buyer,
        lines: [{ productId: w.headset, quantity: 2 }, { productId: w.charger, quantity: 3 }],
        couponCode: w.percentCoupon.toLowerCase(),
      });
      // headset 200.00 at 15 % off = 170.00 × 2; charger 80.00 × 3: 580.00; coupon 10 % = 58.00.
      expect(order).toMatchObject({ status: 'payment_required', subtotal: '580.00', discountTotal: '58.00', total: '522.00', currency: 'ARS' });
      expect(order.lines).toEqual([
        { productId: w.charger, quantity: 3, unitPrice: '80.00' },
        { productId: w.headset, quantity: 2, unitPrice: '170.00' },
      ].sort((a, b) => a.productId - b.productId));
      expect((await productRow(t, w.region, w.headset)).stock).toBe(3);
      const [after] = await t.query<{ use_count: number }>(`select use_count from order_processing.coupons where region = $1 and code = $2`, [w.region, w.percentCoupon]);
      expect(after!.use_count).toBe(coupon[0]!.use_count + 1);
      // The key it returns finds the order (milliseconds survive the round trip).
      expect((await trackOrder(t.db, { region: w.region, buyerId: w.buyer, order })).total).toBe('522.00');
    });

    it('refuses more than the stock (E_ACCESS_OUT_OF_STOCK) and gives back what earlier lines took', async () => {
      const before = await productRow(t, w.region, w.charger);
      const error = await refused(
        placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.charger, quantity: 1 }, { productId: w.phone, quantity: 11 }] }),
        'E_ACCESS_OUT_OF_STOCK',
      );
      expect(error.details).toMatchObject({ productId: w.phone, requested: 11, available: 10 });
      expect(await productRow(t, w.region, w.charger)).toEqual(before);
    });

    it('refuses an expired, an exhausted, a switched-off and an unknown coupon with its reason', async () => {
      const code = (suffix: string) => `${w.percentCoupon}-${suffix}`;
      // createCoupon refuses a past expiry: these are made by hand.
      await t.query(
        `insert into order_processing.coupons (region, code, percentage, currency, max_uses, expires_at, is_active) values
          ($1, $2, 5, 'ARS', 10, now() - interval '1 day', true), ($1, $3, 5, 'ARS', 10, now() + interval '1 day', false)`,
        [w.region, code('OLD'), code('OFF')],
      );
      for (const [c, reason] of [[code('OLD'), 'expired'], [code('OFF'), 'inactive'], [code('NONE'), 'unknown']] as const) {
        const error = await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }], couponCode: c }), 'E_ACCESS_COUPON');
        expect(error.details.reason, c).toBe(reason);
      }
      // The fixed coupon has one use: the second order is refused.
      await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }], couponCode: w.fixedCoupon });
      const second = await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.charger, quantity: 1 }], couponCode: w.fixedCoupon }), 'E_ACCESS_COUPON');
      expect(second.details.reason).toBe('exhausted');
    });

    it('refuses bad lines, a paused listing, another buyer\'s address and an unknown buyer', async () => {
      const line = { productId: w.charger, quantity: 1 };
      await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [] }), 'E_ACCESS_INVALID');
      await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 0 }] }), 'E_ACCESS_INVALID');
      await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [line, line] }), 'E_ACCESS_INVALID');
      await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: 999_999, quantity: 1 }] }), 'E_ACCESS_NOT_FOUND');
      await refused(placeOrder(t.db, { region: w.region, buyerId: 999_999, lines: [line] }), 'E_ACCESS_NOT_FOUND');
      const [other] = await t.query<{ id: string }>(`select id::text from user_management.addresses where region = $1 and user_id = $2 limit 1`, [w.region, w.buyer2]);
      await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [line], addressId: Number(other!.id) }), 'E_ACCESS_FORBIDDEN');
      await t.query(`update product_catalog.products set status = 'paused' where region = $1 and id = $2`, [w.region, w.cable]);
      await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.cable, quantity: 1 }] }), 'E_ACCESS_STATE');
      await t.query(`update product_catalog.products set status = 'active' where region = $1 and id = $2`, [w.region, w.cable]);
    });
  });

  describe('payOrder', () => {
    it('a rejected payment leaves the order waiting; a split payment of two methods that covers the total makes it paid', async () => {
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 2 }] });
      const rejected = await payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'credit_card', amount: '160.00', outcome: 'rejected' }] });
      expect(rejected).toMatchObject({ status: 'payment_required', approved: '0.00', remaining: '160.00' });
      const half = await payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'wallet', amount: 60, outcome: 'approved' }] });
      expect(half).toMatchObject({ status: 'payment_required', approved: '60.00', remaining: '100.00' });
      await refused(payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'credit_card', amount: '100.01', outcome: 'approved' }] }), 'E_ACCESS_INVALID');
      const paid = await payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'credit_card', amount: '100.00', outcome: 'approved' }] });
      expect(paid).toMatchObject({ status: 'paid', approved: '160.00', remaining: '0.00' });
      const split = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      const both = await payOrder(t.db, {
        region: w.region,
        buyerId: w.buyer,
        order: split,
        payments: [
          { method: 'credit_card', amount: '50.00', outcome: 'approved' },
          { method: 'wallet', amount: '30.00', outcome: 'approved' },
        ],
      });
      expect(both.status).toBe('paid');
      expect((await trackOrder(t.db, { region: w.region, buyerId: w.buyer, order: split })).payments.map((p) => p.method).sort()).toEqual(['credit_card', 'wallet']);
    });

    it('paying an order voids the voucher left pending beside it, in a later call or the same one', async () => {
      const statuses = async (order: PlacedOrder) =>
        (
          await t.query<{ name: string }>(
            `select ps.name from payments.payments p join payments.payment_statuses ps on ps.id = p.status_id
              where p.region = $1 and p.order_id = $2 and p.order_created_at = $3 order by p.id`,
            [w.region, order.id, order.createdAt.toISOString()],
          )
        ).map((r) => r.name);
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      const voucher = await payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'cash_voucher', amount: order.total, outcome: 'pending' }] });
      expect(voucher).toMatchObject({ status: 'payment_required', payments: [{ status: 'pending' }] });
      expect(await statuses(order)).toEqual(['pending']);
      const card = await payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] });
      expect(card).toMatchObject({ status: 'paid', payments: [{ status: 'approved' }] });
      expect(await statuses(order)).toEqual(['rejected', 'approved']);

      const both = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      const paid = await payOrder(t.db, {
        region: w.region,
        buyerId: w.buyer,
        order: both,
        payments: [
          { method: 'wallet', amount: both.total, outcome: 'approved' },
          { method: 'cash_voucher', amount: both.total, outcome: 'pending' },
        ],
      });
      expect(paid).toMatchObject({ status: 'paid', payments: [{ status: 'approved' }, { status: 'rejected' }] });
      expect((await statuses(both)).sort()).toEqual(['approved', 'rejected']);
      // A pending payment that does not complete the order stays pending.
      const waiting = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      await payOrder(t.db, { region: w.region, buyerId: w.buyer, order: waiting, payments: [{ method: 'cash_voucher', amount: waiting.total, outcome: 'pending' }] });
      await payOrder(t.db, { region: w.region, buyerId: w.buyer, order: waiting, payments: [{ method: 'credit_card', amount: waiting.total, outcome: 'rejected' }] });
      expect(await statuses(waiting)).toEqual(['pending', 'rejected']);
    });

    it('refuses another buyer, a paid order, three payments and two of the same method', async () => {
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      const full = [{ method: 'debit_card' as const, amount: '80.00', outcome: 'approved' as const }];
      await refused(payOrder(t.db, { region: w.region, buyerId: w.buyer2, order, payments: full }), 'E_ACCESS_FORBIDDEN');
      await refused(payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [full[0]!, full[0]!] }), 'E_ACCESS_INVALID');
      await refused(payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [full[0]!, { ...full[0]!, method: 'wallet' }, { ...full[0]!, method: 'cash_voucher' }] }), 'E_ACCESS_INVALID');
      await payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: full });
      await refused(payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: full }), 'E_ACCESS_STATE');
      await refused(payOrder(t.db, { region: w.region, buyerId: w.buyer, order: { id: order.id, createdAt: new Date(order.createdAt.getTime() + 1) }, payments: full }), 'E_ACCESS_NOT_FOUND');
    });
    it('refuses to pay an order past its payment window, and writes nothing', async () => {
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      // The same order as if placed eight days ago (the window is seven): a copy of its row.
      const [old] = await t.query<{ id: string; created_at: Date | string }>(
        `insert into order_processing.orders (region, buyer_id, status_id, shipping_address_id, total, currency, created_at)
         select region, buyer_id, status_id, shipping_address_id, total, currency, created_at - interval '8 days'
           from order_processing.orders where region = $1 and id = $2
         returning id, created_at`,
        [w.region, order.id],
      );
      const late = { id: Number(old!.id), createdAt: new Date(old!.created_at) };
      try {
        await refused(payOrder(t.db, { region: w.region, buyerId: w.buyer, order: late, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] }), 'E_ACCESS_STATE');
        const written = await t.query<{ n: number }>(`select count(*)::int as n from payments.payments where region = $1 and order_id = $2`, [w.region, late.id]);
        expect(written[0]!.n).toBe(0);
        // Within the window the same payment goes through.
        await expect(payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] })).resolves.toMatchObject({ status: 'paid' });
      } finally {
        await t.query(`delete from order_processing.orders where region = $1 and id = $2`, [w.region, late.id]);
      }
    });
  });

  describe('cancelOrder', () => {
    it('gives stock and the coupon use back, refunds approved payments and withdraws the shipment being prepared', async () => {
      const stock = (await productRow(t, w.region, w.phone)).stock;
      const uses = async () => (await t.query<{ use_count: number }>(`select use_count from order_processing.coupons where region = $1 and code = $2`, [w.region, w.percentCoupon]))[0]!.use_count;
      const usesBefore = await uses();
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.phone, quantity: 2 }], couponCode: w.percentCoupon });
      expect(await uses()).toBe(usesBefore + 1);
      await payOrder(t.db, { region: w.region, buyerId: w.buyer2, order, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] });
      await t.query(
        `insert into shipping_logistics.shipments (region, order_id, order_created_at, status_id, carrier) select $1, $2, $3, id, 'OCA' from shipping_logistics.shipment_statuses where name = 'handling'`,
        [w.region, order.id, order.createdAt.toISOString()],
      );
      const cancelled = await cancelOrder(t.db, { region: w.region, buyerId: w.buyer2, order });
      expect(cancelled).toEqual({ status: 'cancelled', restocked: [{ productId: w.phone, quantity: 2 }], couponReleased: true, refunded: order.total });
      expect((await productRow(t, w.region, w.phone)).stock).toBe(stock);
      expect(await uses()).toBe(usesBefore);
      const track = await trackOrder(t.db, { region: w.region, buyerId: w.buyer2, order });
      expect(track).toMatchObject({ status: 'cancelled', shipment: null, payments: [{ status: 'refunded' }] });
    });

    it('refuses to cancel a shipped order, another buyer\'s order and a cancelled one', async () => {
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      await refused(cancelOrder(t.db, { region: w.region, buyerId: w.buyer2, order }), 'E_ACCESS_FORBIDDEN');
      await payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] });
      await shipOrder(t.db, { region: w.region, sellerId: w.seller, order, carrier: 'Andreani', trackingNumber: `C${order.id}-${w.tag}` });
      const stock = (await productRow(t, w.region, w.charger)).stock;
      await refused(cancelOrder(t.db, { region: w.region, buyerId: w.buyer, order }), 'E_ACCESS_STATE');
      expect((await productRow(t, w.region, w.charger)).stock).toBe(stock);
      const other = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      await cancelOrder(t.db, { region: w.region, buyerId: w.buyer, order: other });
      await refused(cancelOrder(t.db, { region: w.region, buyerId: w.buyer, order: other }), 'E_ACCESS_STATE');
    });
  });

  describe('trackOrder / orderHistory', () => {
    it('tracks lines, payments and the shipment; another buyer is refused', async () => {
      const order = await delivered(w.buyer2);
      const track = await trackOrder(t.db, { region: w.region, buyerId: w.buyer2, order });
      expect(track).toMatchObject({
        status: 'delivered',
        total: '80.00',
        lines: [{ productId: w.charger, quantity: 1, unitPrice: '80.00' }],
        payments: [{ method: 'debit_card', status: 'approved', amount: '80.00' }],
        shipment: { status: 'delivered', carrier: 'OCA', trackingNumber: `T${order.id}-${w.tag}` },
      });
      expect(track.shipment!.deliveredAt!.getTime()).toBeGreaterThanOrEqual(track.shipment!.shippedAt!.getTime());
      await refused(trackOrder(t.db, { region: w.region, buyerId: w.buyer, order }), 'E_ACCESS_FORBIDDEN');
    });

    it('pages newest first with a keyset cursor, and filters by status', async () => {
      const buyer = (await registerUser(t.db, { region: w.region, name: 'Hilda', email: `hilda.${w.tag}@example.com`, passwordHash: HASH, address: { streetLine: 'x 1', city: 'x', state: 'x', postalCode: 'B1000' } })).userId;
      const placed: PlacedOrder[] = [];
      for (let i = 0; i < 5; i++) placed.push(await placeOrder(t.db, { region: w.region, buyerId: buyer, lines: [{ productId: w.charger, quantity: 1 }] }));
      await cancelOrder(t.db, { region: w.region, buyerId: buyer, order: placed[1]! });
      const newestFirst = [...placed].reverse().map((o) => o.id);
      const first = await orderHistory(t.db, { region: w.region, buyerId: buyer, limit: 2 });
      const second = await orderHistory(t.db, { region: w.region, buyerId: buyer, limit: 2, after: first.next! });
      const third = await orderHistory(t.db, { region: w.region, buyerId: buyer, limit: 2, after: second.next! });
      expect([first, second, third].flatMap((p) => p.orders.map((o) => o.id))).toEqual(newestFirst);
      expect(third.next).toBeNull();
      const cancelled = await orderHistory(t.db, { region: w.region, buyerId: buyer, status: 'cancelled' });
      expect(cancelled.orders.map((o) => [o.id, o.status])).toEqual([[placed[1]!.id, 'cancelled']]);
      await refused(orderHistory(t.db, { region: w.region, buyerId: buyer, status: 'lost' as never }), 'E_ACCESS_INVALID');
      await refused(orderHistory(t.db, { region: w.region, buyerId: buyer, limit: 0 }), 'E_ACCESS_INVALID');
    });

    // PGlite has one connection and no pg_prepared_statements of a client's statements to show.
    if (kind !== 'pglite') {
      it('is one prepared statement per site, the site in its text: after five plans it runs a generic plan', async () => {
        const client = postgres(t.url!, { max: 1 });
        try {
          const db = drizzlePostgres(client) as unknown as AccessDb;
          for (let i = 0; i < 8; i++) await orderHistory(db, { region: w.region, buyerId: w.buyer });
          const rows = await client<{ statement: string; generic: number }[]>`
            select statement, generic_plans::int as generic
              from pg_prepared_statements where statement like ${'%from "order_processing"."orders"%'}`;
          expect(rows).toHaveLength(1);
          expect(rows[0]!.statement).toContain(`"order_processing"."orders"."region" = '${w.region}'`);
          expect(rows[0]!.generic).toBeGreaterThanOrEqual(3);
        } finally {
          await client.end();
        }
      });
    }
  });

  describe('reviewProduct / askQuestion / messageSeller', () => {
    it('a buyer reviews a delivered product once; the page counts it', async () => {
      await delivered(w.buyer, w.headset);
      const { reviewId } = await reviewProduct(t.db, { region: w.region, buyerId: w.buyer, productId: w.headset, rating: 4, comment: '¡Muy buenos!' });
      expect(reviewId).toBeGreaterThan(0);
      expect((await productPage(t.db, { region: w.region, productId: w.headset })).rating).toEqual({ count: 1, average: '4.00', stars: [0, 0, 0, 1, 0] });
      await refused(reviewProduct(t.db, { region: w.region, buyerId: w.buyer, productId: w.headset, rating: 5 }), 'E_ACCESS_CONFLICT');
    });

    it('refuses a review by someone who did not buy, of an order not delivered yet, and a rating of 6', async () => {
      await refused(reviewProduct(t.db, { region: w.region, buyerId: w.buyer2, productId: w.phone, rating: 5 }), 'E_ACCESS_FORBIDDEN');
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.cable, quantity: 1 }] });
      await payOrder(t.db, { region: w.region, buyerId: w.buyer2, order, payments: [{ method: 'wallet', amount: order.total, outcome: 'approved' }] });
      await refused(reviewProduct(t.db, { region: w.region, buyerId: w.buyer2, productId: w.cable, rating: 5 }), 'E_ACCESS_FORBIDDEN');
      await refused(reviewProduct(t.db, { region: w.region, buyerId: w.buyer, productId: w.headset, rating: 6 }), 'E_ACCESS_INVALID');
    });

    it('asks a question; a seller asking about their own listing and an unknown product are refused', async () => {
      const { questionId } = await askQuestion(t.db, { region: w.region, askerId: w.buyer2, productId: w.phone, body: '¿Trae cargador?' });
      const [q] = await t.query<{ status: string; body: string }>(`select status::text, body from reviews_questions.questions where region = $1 and id = $2`, [w.region, questionId]);
      expect(q).toEqual({ status: 'unanswered', body: '¿Trae cargador?' });
      await refused(askQuestion(t.db, { region: w.region, askerId: w.seller, productId: w.phone, body: '¿Hola?' }), 'E_ACCESS_FORBIDDEN');
      await refused(askQuestion(t.db, { region: w.region, askerId: w.buyer2, productId: 999_999, body: '¿Hola?' }), 'E_ACCESS_NOT_FOUND');
      await refused(askQuestion(t.db, { region: w.region, askerId: w.buyer2, productId: w.phone, body: '' }), 'E_ACCESS_INVALID');
    });

    it('messages a store before buying (one open conversation) and about an order (the order\'s one conversation)', async () => {
      const a = await messageSeller(t.db, { region: w.region, buyerId: w.buyer2, storeId: w.store2, body: '¿Tienen en blanco?' });
      const b = await messageSeller(t.db, { region: w.region, buyerId: w.buyer2, storeId: w.store2, body: '¿Y en rojo?' });
      expect(b.conversationId).toBe(a.conversationId);
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.headset, quantity: 1 }] });
      const c = await messageSeller(t.db, { region: w.region, buyerId: w.buyer2, storeId: w.store2, order, body: '¿Cuándo llega?' });
      expect(c.conversationId).not.toBe(a.conversationId);
      const [conv] = await t.query<{ kind: string; n: number }>(
        `select c.kind::text, (select count(*)::int from messaging.messages m where m.region = c.region and m.conversation_id = c.id) as n from messaging.conversations c where c.region = $1 and c.id = $2`,
        [w.region, c.conversationId],
      );
      expect(conv).toEqual({ kind: 'order', n: 1 });
      await refused(messageSeller(t.db, { region: w.region, buyerId: w.buyer2, storeId: w.store, order, body: 'x' }), 'E_ACCESS_FORBIDDEN');
      await refused(messageSeller(t.db, { region: w.region, buyerId: w.buyer, storeId: w.store2, order, body: 'x' }), 'E_ACCESS_FORBIDDEN');
      await refused(messageSeller(t.db, { region: w.region, buyerId: w.seller2, storeId: w.store2, body: 'x' }), 'E_ACCESS_FORBIDDEN');
      await refused(messageSeller(t.db, { region: w.region, buyerId: w.buyer2, storeId: 999_999, body: 'x' }), 'E_ACCESS_NOT_FOUND');
    });
  });

  describe('recordSearch / recommendProducts', () => {
    it('recommends from the last searches first, then what sells in the site', async () => {
      await recordSearch(t.db, { region: w.region, userId: w.buyer2, query: 'auriculares' });
      await recordSearch(t.db, { region: w.region, userId: w.buyer2, query: 'cable usb' });
      await refreshBiViews(t.db);
      const recs = await recommendProducts(t.db, { region: w.region, userId: w.buyer2, limit: 4 });
      const fromSearches = recs.filter((r) => r.source === 'search_history').map((r) => r.productId);
      expect(fromSearches.sort()).toEqual([w.cable, w.headset].sort());
      // The charger sold (paid orders above): the best seller fills the list.
      expect(recs.filter((r) => r.source === 'trending').map((r) => r.productId)).toContain(w.charger);
      for (const r of recs) expect(r.score).toBeGreaterThan(0);
      await refused(recommendProducts(t.db, { region: w.region, userId: w.buyer2, limit: 0 }), 'E_ACCESS_INVALID');
      await refused(recordSearch(t.db, { region: w.region, userId: 999_999, query: 'x' }), 'E_ACCESS_NOT_FOUND');
      await refused(recordSearch(t.db, { region: w.region, userId: w.buyer2, query: 'x'.repeat(201) }), 'E_ACCESS_INVALID');
    });
  });

  it('everything the operations wrote keeps the data rules of verify', async () => {
    const results = await runRules({ query: (text, params = []) => t.query(text, params as unknown[]) }, DATA_RULES, [], 5, { errors: 'throw' });
    expect(results.filter((r) => r.offenders > 0)).toEqual([]);
  });
});
