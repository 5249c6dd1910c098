/**
 * The data rules find nothing in consistent data and find what each of them is for:
 * a small fixture that obeys every rule (two sites, every order status, split and refunded
 * payments, overlapping discounts, a review citing no order, a trending recommendation) yields
 * no offender; then, for each rule, a write that breaks exactly it makes that rule, and
 * no other, report offenders, through the one runner verify and seed share. Each break runs in a transaction that is rolled back, so every
 * case starts from the same fixture. Rules the schema also enforces with a CHECK are broken by
 * dropping that CHECK inside the same transaction (DDL is transactional in PostgreSQL).
 * The same cases run on the PostgreSQL server and on embedded PGlite.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DATA_RULES } from '../../src/verify/data-rules.ts';
import { runRules } from '../../src/verify/run.ts';
import type { RuleResult } from '../../src/verify/types.ts';
import {
  FIXTURE_TARGETS, insert, literal, orderStatus, paymentMethod, paymentStatus, PEOPLE, role, shipmentStatus, type FixtureTarget, type Row,
} from '../helpers/fixture.ts';

// ---------------------------------------------------------------------------------------------
// The consistent fixture. MLA: buyers 1 (Ana) and 3 (Lucía); sellers 2 (Sergio, store 1) and
// 4 (Marta, store 2). MLB: buyer 11, seller 12 with store 11. Orders of MLA, one per status:
//   1 delivered, coupon 1, split payment, product 1 at the 15 % of two overlapping discounts
//   2 shipped       3 paid, shipment in handling       4 payment_required, pending payment
//   5 cancelled, refunded payment       6 refunded after delivery, refunded payment
//   7 paid, coupon 1, no shipment yet
// MLB order 11: delivered, product 11 at its 5 % campaign discount.
// An order's key is (region, id, created_at): every row that cites an order repeats its created_at.

/** When each order of the fixture was placed, by `region/id`. */
const ORDER_AT: Readonly<Record<string, string>> = {
  'MLA/1': '2025-05-13T10:00:00Z',
  'MLA/2': '2025-06-01T12:00:00Z',
  'MLA/3': '2025-06-10T09:00:00Z',
  'MLA/4': '2025-06-15T18:00:00Z',
  'MLA/5': '2025-06-18T10:00:00Z',
  'MLA/6': '2025-07-01T10:00:00Z',
  'MLA/7': '2025-06-20T12:00:00Z',
  'MLB/11': '2025-11-28T12:00:00Z',
};

/** The created_at of a fixture order: the other half of its key. */
function placed(region: string, id: number): string {
  const at = ORDER_AT[`${region}/${id}`];
  if (at === undefined) throw new Error(`no fixture order ${region}/${id}`);
  return at;
}

/** Accounts, listings and coupons exist before the history starts (the activity windows hold). */
const OPENED = '2024-01-01T00:00:00Z';
const opened = (table: string, rows: readonly Row[]) =>
  ['user_management.users', 'product_catalog.products', 'order_processing.coupons'].includes(table) ? rows.map((r) => ({ created_at: OPENED, ...r })) : rows;

const FIXTURE: ReadonlyArray<readonly [table: string, rows: readonly Row[]]> = [
  ...PEOPLE,
  ['product_catalog.categories', [
    { id: 1, parent_id: null, name: 'Electrónica', description: 'Electronics and gadgets.' },
    { id: 2, parent_id: 1, name: 'Celulares', description: 'Mobile phones.' },
    { id: 3, parent_id: 1, name: 'Accesorios', description: 'Phone accessories.' },
    { id: 4, parent_id: null, name: 'Hogar', description: 'Home and living.' },
  ]],
  ['product_catalog.products', [
    // Product 1 sits exactly at its low-stock threshold (5): the catalog has a low-stock alert.
    { region: 'MLA', id: 1, store_id: 1, category_id: 2, title: 'Celular Moto G', description: 'Libre.', price: '350000.00', currency: 'ARS', stock: 5, low_stock_threshold: 5 },
    { region: 'MLA', id: 2, store_id: 1, category_id: 3, title: 'Funda para celular', description: 'Silicona.', price: '9000.00', currency: 'ARS', stock: 100, low_stock_threshold: 5 },
    { region: 'MLA', id: 3, store_id: 2, category_id: 4, title: 'Lámpara de mesa', description: 'LED.', price: '20000.00', currency: 'ARS', stock: 30, low_stock_threshold: 5 },
    { region: 'MLA', id: 4, store_id: 2, category_id: 2, title: 'Celular Galaxy S', description: 'Nuevo.', price: '500000.00', currency: 'ARS', stock: 8, low_stock_threshold: 2 },
    { region: 'MLB', id: 11, store_id: 11, category_id: 2, title: 'Celular Galaxy A', description: 'Desbloqueado.', price: '1500.00', currency: 'BRL', stock: 10, low_stock_threshold: 3 },
  ]],
  ['product_catalog.product_images', [
    { region: 'MLA', id: 1, product_id: 1, url: 'https://img.example.com/mla-1-1.jpg', position: 1 },
    { region: 'MLB', id: 11, product_id: 11, url: 'https://img.example.com/mlb-11-1.jpg', position: 1 },
  ]],
  ['marketing.campaigns', [
    { region: 'MLA', id: 1, store_id: 1, name: 'Hot Sale', starts_at: '2025-05-12T00:00:00Z', ends_at: '2025-05-15T00:00:00Z', status: 'finished', budget: '100000.00', currency: 'ARS' },
    { region: 'MLA', id: 2, store_id: 2, name: 'Invierno', starts_at: '2025-06-01T00:00:00Z', ends_at: '2025-07-01T00:00:00Z', status: 'finished', budget: '50000.00', currency: 'ARS' },
    { region: 'MLB', id: 11, store_id: 11, name: 'Black Friday', starts_at: '2025-11-28T00:00:00Z', ends_at: '2025-11-29T00:00:00Z', status: 'finished', budget: '2000.00', currency: 'BRL' },
  ]],
  ['product_catalog.product_discounts', [
    // Two overlapping discounts on product 1 on 2025-05-13: 10 % (campaign) and 15 % (none).
    { region: 'MLA', id: 1, product_id: 1, percentage: 10, starts_at: '2025-05-12T00:00:00Z', ends_at: '2025-05-15T00:00:00Z', campaign_id: 1 },
    { region: 'MLA', id: 2, product_id: 1, percentage: 15, starts_at: '2025-05-13T00:00:00Z', ends_at: '2025-05-14T00:00:00Z', campaign_id: null },
    { region: 'MLB', id: 11, product_id: 11, percentage: 5, starts_at: '2025-11-28T00:00:00Z', ends_at: '2025-11-29T00:00:00Z', campaign_id: 11 },
  ]],
  ['marketing.ads', [
    { region: 'MLA', id: 1, campaign_id: 1, product_id: 1, image_url: 'https://img.example.com/ad-1.jpg', bid: '50.00', currency: 'ARS', clicks: 3, impressions: 100 },
    { region: 'MLA', id: 2, campaign_id: 2, product_id: 3, image_url: 'https://img.example.com/ad-2.jpg', bid: '20.00', currency: 'ARS' },
    { region: 'MLB', id: 11, campaign_id: 11, product_id: 11, image_url: 'https://img.example.com/ad-11.jpg', bid: '0.50', currency: 'BRL' },
  ]],
  ['order_processing.coupons', [
    { region: 'MLA', id: 1, code: 'HOTSALE10', percentage: 10, fixed_amount: null, currency: 'ARS', max_uses: 100, use_count: 2, expires_at: '2030-12-31T23:59:59Z' },
    { region: 'MLA', id: 2, code: 'ENVIO1000', percentage: null, fixed_amount: '1000.00', currency: 'ARS', max_uses: 50, use_count: 0, expires_at: '2025-12-31T23:59:59Z' },
    { region: 'MLB', id: 11, code: 'PRIMEIRA20', percentage: null, fixed_amount: '20.00', currency: 'BRL', max_uses: 500, use_count: 0, expires_at: '2030-12-31T23:59:59Z' },
  ]],
  ['order_processing.orders', [
    // Lines 297500 + 2 × 9000 = 315500; coupon 10 % = 31550; total 283950.
    { region: 'MLA', id: 1, buyer_id: 1, status_id: orderStatus('delivered'), coupon_id: 1, shipping_address_id: 1, discount_total: '31550.00', total: '283950.00', currency: 'ARS', created_at: placed('MLA', 1) },
    { region: 'MLA', id: 2, buyer_id: 3, status_id: orderStatus('shipped'), coupon_id: null, shipping_address_id: 3, discount_total: '0', total: '20000.00', currency: 'ARS', created_at: placed('MLA', 2) },
    { region: 'MLA', id: 3, buyer_id: 3, status_id: orderStatus('paid'), coupon_id: null, shipping_address_id: 3, discount_total: '0', total: '9000.00', currency: 'ARS', created_at: placed('MLA', 3) },
    { region: 'MLA', id: 4, buyer_id: 1, status_id: orderStatus('payment_required'), coupon_id: null, shipping_address_id: 1, discount_total: '0', total: '40000.00', currency: 'ARS', created_at: placed('MLA', 4) },
    { region: 'MLA', id: 5, buyer_id: 3, status_id: orderStatus('cancelled'), coupon_id: null, shipping_address_id: 3, discount_total: '0', total: '9000.00', currency: 'ARS', created_at: placed('MLA', 5) },
    { region: 'MLA', id: 6, buyer_id: 1, status_id: orderStatus('refunded'), coupon_id: null, shipping_address_id: 1, discount_total: '0', total: '500000.00', currency: 'ARS', created_at: placed('MLA', 6) },
    // Line 9000; coupon 10 % = 900; total 8100.
    { region: 'MLA', id: 7, buyer_id: 1, status_id: orderStatus('paid'), coupon_id: 1, shipping_address_id: 1, discount_total: '900.00', total: '8100.00', currency: 'ARS', created_at: placed('MLA', 7) },
    // 2 × 1425 (1500 less 5 %).
    { region: 'MLB', id: 11, buyer_id: 11, status_id: orderStatus('delivered'), coupon_id: null, shipping_address_id: 11, discount_total: '0', total: '2850.00', currency: 'BRL', created_at: placed('MLB', 11) },
  ]],
  ['order_processing.order_details', [
    { region: 'MLA', order_id: 1, order_created_at: placed('MLA', 1), product_id: 1, quantity: 1, unit_price: '297500.00' },
    { region: 'MLA', order_id: 1, order_created_at: placed('MLA', 1), product_id: 2, quantity: 2, unit_price: '9000.00' },
    { region: 'MLA', order_id: 2, order_created_at: placed('MLA', 2), product_id: 3, quantity: 1, unit_price: '20000.00' },
    { region: 'MLA', order_id: 3, order_created_at: placed('MLA', 3), product_id: 2, quantity: 1, unit_price: '9000.00' },
    { region: 'MLA', order_id: 4, order_created_at: placed('MLA', 4), product_id: 3, quantity: 2, unit_price: '20000.00' },
    { region: 'MLA', order_id: 5, order_created_at: placed('MLA', 5), product_id: 2, quantity: 1, unit_price: '9000.00' },
    { region: 'MLA', order_id: 6, order_created_at: placed('MLA', 6), product_id: 4, quantity: 1, unit_price: '500000.00' },
    { region: 'MLA', order_id: 7, order_created_at: placed('MLA', 7), product_id: 2, quantity: 1, unit_price: '9000.00' },
    { region: 'MLB', order_id: 11, order_created_at: placed('MLB', 11), product_id: 11, quantity: 2, unit_price: '1425.00' },
  ]],
  ['payments.payments', [
    { region: 'MLA', id: 1, order_id: 1, order_created_at: placed('MLA', 1), method_id: paymentMethod('credit_card'), status_id: paymentStatus('approved'), amount: '200000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0001', created_at: '2025-05-13T10:05:00Z' },
    { region: 'MLA', id: 2, order_id: 1, order_created_at: placed('MLA', 1), method_id: paymentMethod('wallet'), status_id: paymentStatus('approved'), amount: '83950.00', currency: 'ARS', transaction_ref: 'MP-MLA-0002', created_at: '2025-05-13T10:06:00Z' },
    { region: 'MLA', id: 3, order_id: 2, order_created_at: placed('MLA', 2), method_id: paymentMethod('debit_card'), status_id: paymentStatus('approved'), amount: '20000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0003', created_at: '2025-06-01T12:01:00Z' },
    { region: 'MLA', id: 4, order_id: 3, order_created_at: placed('MLA', 3), method_id: paymentMethod('bank_transfer'), status_id: paymentStatus('approved'), amount: '9000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0004', created_at: '2025-06-10T09:02:00Z' },
    { region: 'MLA', id: 5, order_id: 4, order_created_at: placed('MLA', 4), method_id: paymentMethod('cash_voucher'), status_id: paymentStatus('pending'), amount: '40000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0005', created_at: '2025-06-15T18:01:00Z' },
    { region: 'MLA', id: 6, order_id: 5, order_created_at: placed('MLA', 5), method_id: paymentMethod('credit_card'), status_id: paymentStatus('refunded'), amount: '9000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0006', created_at: '2025-06-18T10:01:00Z' },
    { region: 'MLA', id: 7, order_id: 6, order_created_at: placed('MLA', 6), method_id: paymentMethod('credit_card'), status_id: paymentStatus('refunded'), amount: '500000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0007', created_at: '2025-07-01T10:02:00Z' },
    { region: 'MLA', id: 8, order_id: 7, order_created_at: placed('MLA', 7), method_id: paymentMethod('wallet'), status_id: paymentStatus('approved'), amount: '8100.00', currency: 'ARS', transaction_ref: 'MP-MLA-0008', created_at: '2025-06-20T12:01:00Z' },
    { region: 'MLA', id: 9, order_id: 7, order_created_at: placed('MLA', 7), method_id: paymentMethod('credit_card'), status_id: paymentStatus('rejected'), amount: '8100.00', currency: 'ARS', transaction_ref: 'MP-MLA-0009', created_at: '2025-06-20T12:00:30Z' },
    { region: 'MLB', id: 11, order_id: 11, order_created_at: placed('MLB', 11), method_id: paymentMethod('bank_transfer'), status_id: paymentStatus('approved'), amount: '2850.00', currency: 'BRL', transaction_ref: 'MP-MLB-0011', created_at: '2025-11-28T12:05:00Z' },
  ]],
  ['shipping_logistics.shipments', [
    { region: 'MLA', id: 1, order_id: 1, order_created_at: placed('MLA', 1), status_id: shipmentStatus('delivered'), carrier: 'OCA', tracking_number: 'OCA-0001', shipped_at: '2025-05-14T09:00:00Z', delivered_at: '2025-05-16T15:00:00Z' },
    { region: 'MLA', id: 2, order_id: 2, order_created_at: placed('MLA', 2), status_id: shipmentStatus('shipped'), carrier: 'Andreani', tracking_number: 'AND-0002', shipped_at: '2025-06-02T08:00:00Z', delivered_at: null },
    { region: 'MLA', id: 3, order_id: 3, order_created_at: placed('MLA', 3), status_id: shipmentStatus('handling'), carrier: 'OCA', tracking_number: null, shipped_at: null, delivered_at: null },
    { region: 'MLA', id: 6, order_id: 6, order_created_at: placed('MLA', 6), status_id: shipmentStatus('delivered'), carrier: 'OCA', tracking_number: 'OCA-0006', shipped_at: '2025-07-02T09:00:00Z', delivered_at: '2025-07-03T14:00:00Z' },
    { region: 'MLB', id: 11, order_id: 11, order_created_at: placed('MLB', 11), status_id: shipmentStatus('delivered'), carrier: 'Correios', tracking_number: 'BR000011', shipped_at: '2025-11-29T10:00:00Z', delivered_at: '2025-12-02T16:00:00Z' },
  ]],
  ['reviews_questions.reviews', [
    { region: 'MLA', id: 1, buyer_id: 1, product_id: 1, order_id: 1, order_created_at: placed('MLA', 1), rating: 5, comment: 'Excelente.', moderation_status: 'approved', created_at: '2025-05-18T10:00:00Z' },
    // No order cited: the delivered order 1 of the same buyer contains product 2.
    { region: 'MLA', id: 2, buyer_id: 1, product_id: 2, order_id: null, order_created_at: null, rating: 4, comment: 'Buena funda.', created_at: '2025-05-20T10:00:00Z' },
    { region: 'MLB', id: 11, buyer_id: 11, product_id: 11, order_id: 11, order_created_at: placed('MLB', 11), rating: 4, comment: 'Muito bom.', created_at: '2025-12-05T10:00:00Z' },
  ]],
  ['reviews_questions.questions', [
    { region: 'MLA', id: 1, product_id: 1, asker_id: 3, body: '¿Es libre?', status: 'answered', answer: 'Sí.', created_at: '2025-05-01T10:00:00Z', answered_at: '2025-05-01T12:00:00Z' },
    { region: 'MLA', id: 2, product_id: 3, asker_id: 1, body: '¿Viene con foco?', status: 'unanswered', answer: null, created_at: '2025-06-01T10:00:00Z', answered_at: null },
    { region: 'MLB', id: 11, product_id: 11, asker_id: 11, body: 'Aceita troca?', status: 'banned', answer: null, created_at: '2025-11-20T10:00:00Z', answered_at: null },
  ]],
  ['messaging.conversations', [
    { region: 'MLA', id: 1, buyer_id: 1, store_id: 1, order_id: 1, order_created_at: placed('MLA', 1), kind: 'order', created_at: '2025-05-13T11:00:00Z' },
    { region: 'MLA', id: 2, buyer_id: 3, store_id: 2, order_id: null, order_created_at: null, kind: 'pre_sale', created_at: '2025-05-30T09:00:00Z' },
    { region: 'MLB', id: 11, buyer_id: 11, store_id: 11, order_id: null, order_created_at: null, kind: 'store', created_at: '2025-11-20T09:00:00Z' },
  ]],
  ['messaging.messages', [
    { region: 'MLA', id: 1, conversation_id: 1, sender_id: 1, body: 'Hola, ¿cuándo llega?', sent_at: '2025-05-13T11:00:00Z' },
    { region: 'MLA', id: 2, conversation_id: 1, sender_id: 2, body: 'Sale mañana.', sent_at: '2025-05-13T11:30:00Z', read_at: '2025-05-13T12:00:00Z' },
    { region: 'MLA', id: 3, conversation_id: 2, sender_id: 3, body: '¿Tienen en blanco?', sent_at: '2025-05-30T09:01:00Z' },
    { region: 'MLA', id: 4, conversation_id: 2, sender_id: 4, body: 'Sí, en blanco y negro.', sent_at: '2025-05-30T10:00:00Z' },
    { region: 'MLB', id: 11, conversation_id: 11, sender_id: 12, body: 'Bem-vindo à loja!', sent_at: '2025-11-20T10:00:00Z' },
  ]],
  ['recommendations.user_search_history', [
    { region: 'MLA', id: 1, user_id: 1, query_text: 'MOTO G', searched_at: '2025-05-01T09:00:00Z' },
    { region: 'MLA', id: 2, user_id: 3, query_text: 'mesa', searched_at: '2025-05-29T09:00:00Z' },
    { region: 'MLA', id: 3, user_id: 3, query_text: 'GALAXY', searched_at: '2025-06-05T09:00:00Z' },
    { region: 'MLB', id: 11, user_id: 11, query_text: 'galaxy', searched_at: '2025-11-27T09:00:00Z' },
  ]],
  ['recommendations.recommendation_logs', [
    // Title contains the (upper-case) search 'MOTO G'; shown before order 1, which bought it (converted).
    { region: 'MLA', id: 1, user_id: 1, product_id: 1, source: 'search_history', score: 0.9, position: 1, shown_at: '2025-05-13T09:40:00Z', clicked: true, converted_order_id: 1, converted_order_created_at: placed('MLA', 1) },
    // Same category (phones) as product 1, which user 1 bought; no search matches.
    { region: 'MLA', id: 2, user_id: 1, product_id: 4, source: 'purchase_history', score: 0.6, position: 2 },
    { region: 'MLA', id: 3, user_id: 3, product_id: 3, source: 'search_history', score: 0.8, position: 1 },
    // Trending: related to nothing user 3 searched or bought, and needs not be.
    { region: 'MLA', id: 4, user_id: 3, product_id: 1, source: 'trending', score: 0.4, position: 2 },
    // Related only by the search 'GALAXY' (another case): user 3 never bought a phone.
    { region: 'MLA', id: 5, user_id: 3, product_id: 4, source: 'search_history', score: 0.5, position: 3 },
    { region: 'MLB', id: 11, user_id: 11, product_id: 11, source: 'similar_products', score: 0.7, position: 1 },
  ]],
];

// ---------------------------------------------------------------------------------------------
// One or more breaks per rule (keyed by its id without `data/`); each breaks that rule and no other.

interface Break {
  readonly what: string;
  readonly sql: readonly string[];
}

const dropCheck = (table: string, constraint: string) => `ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`;

const BREAKS: Readonly<Record<string, readonly Break[]>> = {
  'order-total-matches-lines': [
    { what: 'an order total one peso above its lines', sql: [`UPDATE order_processing.orders SET total = total + 1 WHERE region = 'MLA' AND id = 4`] },
  ],
  'order-has-lines': [
    {
      what: 'an order with no line',
      sql: [insert('order_processing.orders', { region: 'MLA', id: 901, buyer_id: 1, status_id: orderStatus('payment_required'), shipping_address_id: 1, total: '0', currency: 'ARS', created_at: '2025-08-01T10:00:00Z' })],
    },
    {
      // The key is (region, id, created_at): the lines (and the delivered shipment) of order 1 are
      // not this order's, so a check that matched on (region, id) alone would miss it here and
      // blame the shipment elsewhere.
      what: 'an order of another month that shares its id with order 1, and has no line of its own',
      sql: [insert('order_processing.orders', { region: 'MLA', id: 1, buyer_id: 3, status_id: orderStatus('payment_required'), shipping_address_id: 3, total: '0', currency: 'ARS', created_at: '2025-08-01T10:00:00Z' })],
    },
  ],
  'line-price-matches-product-discount': [
    { what: 'the product price changed, so neither discount gives the line price', sql: [`UPDATE product_catalog.products SET price = 360000.00 WHERE region = 'MLA' AND id = 1`] },
    {
      what: 'the price changed before the order was placed, yet the line has another',
      sql: [`UPDATE product_catalog.products SET price = 360000.00, price_changed_at = '2024-01-01T00:00:00Z' WHERE region = 'MLA' AND id = 1`],
    },
    { what: 'the 15 % discount the line used does not exist', sql: [`DELETE FROM product_catalog.product_discounts WHERE region = 'MLA' AND id = 2`] },
    {
      what: 'a line at the plain price while a discount was active',
      sql: [insert('product_catalog.product_discounts', { region: 'MLA', id: 901, product_id: 3, percentage: 10, starts_at: '2025-05-31T00:00:00Z', ends_at: '2025-06-02T00:00:00Z', campaign_id: 2 })],
    },
  ],
  'paid-order-payments-match-total': [
    { what: 'a shipped order paid one peso short', sql: [`UPDATE payments.payments SET amount = 19999.00 WHERE region = 'MLA' AND id = 3`] },
    { what: 'a refunded order whose captured payments fall short', sql: [`UPDATE payments.payments SET amount = 499999.00 WHERE region = 'MLA' AND id = 7`] },
    { what: 'one half of a split payment rejected', sql: [`UPDATE payments.payments SET status_id = ${literal(paymentStatus('rejected'))} WHERE region = 'MLA' AND id = 2`] },
  ],
  'unpaid-order-has-no-approved-payment': [
    { what: 'an approved payment for an order still waiting for payment', sql: [`UPDATE payments.payments SET status_id = ${literal(paymentStatus('approved'))} WHERE region = 'MLA' AND id = 5`] },
    { what: 'an approved payment for a cancelled order', sql: [`UPDATE payments.payments SET status_id = ${literal(paymentStatus('approved'))} WHERE region = 'MLA' AND id = 6`] },
  ],
  'shipment-needs-paid-order': [
    {
      what: 'a shipment for an order waiting for payment',
      sql: [insert('shipping_logistics.shipments', { region: 'MLA', id: 901, order_id: 4, order_created_at: placed('MLA', 4), status_id: shipmentStatus('pending'), carrier: 'OCA' })],
    },
  ],
  'shipment-after-payment': [
    { what: 'shipped 30 seconds before the payment', sql: [`UPDATE shipping_logistics.shipments SET shipped_at = '2025-06-01T12:00:30Z' WHERE region = 'MLA' AND id = 2`] },
    { what: 'shipped at the very instant of the payment', sql: [`UPDATE shipping_logistics.shipments SET shipped_at = '2025-06-01T12:01:00Z' WHERE region = 'MLA' AND id = 2`] },
  ],
  'shipment-delivered-after-shipped': [
    {
      what: 'delivered a day before it was shipped',
      sql: [
        dropCheck('shipping_logistics.shipments', 'shipments_delivered_after_shipped_check'),
        `UPDATE shipping_logistics.shipments SET delivered_at = '2025-07-01T12:00:00Z' WHERE region = 'MLA' AND id = 6`,
      ],
    },
  ],
  'shipped-order-matches-shipment': [
    { what: 'a shipped order whose shipment is still in handling', sql: [`UPDATE shipping_logistics.shipments SET status_id = ${literal(shipmentStatus('handling'))} WHERE region = 'MLA' AND id = 2`] },
    { what: 'a shipped order with no shipment', sql: [`UPDATE order_processing.orders SET status_id = ${literal(orderStatus('shipped'))} WHERE region = 'MLA' AND id = 7`] },
  ],
  'delivered-order-matches-shipment': [
    { what: 'a delivered order whose shipment was not delivered', sql: [`UPDATE shipping_logistics.shipments SET status_id = ${literal(shipmentStatus('not_delivered'))} WHERE region = 'MLB' AND id = 11`] },
    { what: 'a delivered order whose shipment is in handling', sql: [`UPDATE order_processing.orders SET status_id = ${literal(orderStatus('delivered'))} WHERE region = 'MLA' AND id = 3`] },
    { what: 'a delivered shipment with no delivery time', sql: [`UPDATE shipping_logistics.shipments SET delivered_at = NULL WHERE region = 'MLA' AND id = 6`] },
  ],
  'paid-order-shipment-not-dispatched': [
    { what: 'a paid order whose shipment was lost', sql: [`UPDATE shipping_logistics.shipments SET status_id = ${literal(shipmentStatus('not_delivered'))} WHERE region = 'MLA' AND id = 3`] },
  ],
  'review-by-buyer-after-delivery': [
    { what: 'a review written before the delivery', sql: [`UPDATE reviews_questions.reviews SET created_at = '2025-05-15T00:00:00Z' WHERE region = 'MLA' AND id = 2`] },
    { what: 'a review citing another buyer\'s order', sql: [`UPDATE reviews_questions.reviews SET buyer_id = 3 WHERE region = 'MLA' AND id = 1`] },
    { what: 'a review of a product from an order not yet delivered', sql: [insert('reviews_questions.reviews', { region: 'MLA', id: 901, buyer_id: 3, product_id: 3, order_id: 2, order_created_at: placed('MLA', 2), rating: 3, created_at: '2025-06-05T10:00:00Z' })] },
  ],
  'question-answer-matches-status': [
    {
      what: 'an unanswered question with an answer',
      sql: [
        dropCheck('reviews_questions.questions', 'questions_answered_check'),
        `UPDATE reviews_questions.questions SET answer = 'Sí, incluido.' WHERE region = 'MLA' AND id = 2`,
      ],
    },
  ],
  'question-answered-after-asked': [
    { what: 'answered at the instant it was asked', sql: [`UPDATE reviews_questions.questions SET answered_at = created_at WHERE region = 'MLA' AND id = 1`] },
  ],
  'message-sender-is-participant': [
    { what: 'a message by a third user', sql: [`UPDATE messaging.messages SET sender_id = 3 WHERE region = 'MLA' AND id = 2`] },
  ],
  'message-after-conversation': [
    { what: 'a message a minute before its conversation', sql: [`UPDATE messaging.messages SET sent_at = '2025-05-13T10:59:00Z' WHERE region = 'MLA' AND id = 1`] },
  ],
  'order-conversation-buyer-matches-order': [
    {
      what: 'a conversation about another buyer\'s order',
      sql: [insert('messaging.conversations', { region: 'MLA', id: 901, buyer_id: 1, store_id: 2, order_id: 2, order_created_at: placed('MLA', 2), kind: 'order', created_at: '2025-06-01T13:00:00Z' })],
    },
  ],
  'coupon-use-count-matches-orders': [
    { what: 'a use count one short', sql: [`UPDATE order_processing.coupons SET use_count = 1 WHERE region = 'MLA' AND id = 1`] },
    { what: 'an order moved to another coupon without updating either count', sql: [`UPDATE order_processing.orders SET coupon_id = 2 WHERE region = 'MLA' AND id = 7`] },
    {
      what: 'an order cancelled (and refunded) without giving its coupon use back',
      sql: [
        `UPDATE order_processing.orders SET status_id = (SELECT id FROM order_processing.order_statuses WHERE name = 'cancelled') WHERE region = 'MLA' AND id = 7`,
        `UPDATE payments.payments SET status_id = (SELECT id FROM payments.payment_statuses WHERE name = 'refunded') WHERE region = 'MLA' AND order_id = 7`,
      ],
    },
  ],
  'coupon-within-max-uses': [
    {
      what: 'a coupon used twice with max_uses 1',
      sql: [
        dropCheck('order_processing.coupons', 'coupons_use_count_check'),
        `UPDATE order_processing.coupons SET max_uses = 1 WHERE region = 'MLA' AND id = 1`,
      ],
    },
  ],
  'coupon-used-before-expiry': [
    { what: 'an order placed after its coupon expired', sql: [`UPDATE order_processing.coupons SET expires_at = '2025-06-01T00:00:00Z' WHERE region = 'MLA' AND id = 1`] },
  ],
  'product-stock-not-negative': [
    {
      what: 'a negative stock',
      sql: [
        dropCheck('product_catalog.products', 'products_stock_check'),
        `UPDATE product_catalog.products SET stock = -1 WHERE region = 'MLA' AND id = 2`,
      ],
    },
  ],
  'low-stock-not-bestseller': [
    {
      // Order 4 (waiting for payment, total and pending payment raised with it) now buys 60 lamps,
      // the site's bestseller by far, whose stock fell to 2.
      what: 'the site\'s bestseller (60 units) at 2 units of stock',
      sql: [
        `UPDATE order_processing.order_details SET quantity = 60 WHERE region = 'MLA' AND order_id = 4`,
        `UPDATE order_processing.orders SET total = 1200000.00 WHERE region = 'MLA' AND id = 4`,
        `UPDATE payments.payments SET amount = 1200000.00 WHERE region = 'MLA' AND id = 5`,
        `UPDATE product_catalog.products SET stock = 2 WHERE region = 'MLA' AND id = 3`,
      ],
    },
  ],
  'some-product-under-threshold': [
    { what: 'every threshold below every stock', sql: [`UPDATE product_catalog.products SET low_stock_threshold = 0`] },
  ],
  'recommendation-relates-to-user': [
    { what: 'an unrelated product not shown as trending', sql: [`UPDATE recommendations.recommendation_logs SET source = 'similar_products' WHERE region = 'MLA' AND id = 4`] },
    { what: 'a recommendation whose only related search changed', sql: [`UPDATE recommendations.user_search_history SET query_text = 'tablet' WHERE region = 'MLA' AND id = 3`] },
  ],
  'converted-recommendation-bought-after': [
    { what: 'a conversion recorded a day after the order it names', sql: [`UPDATE recommendations.recommendation_logs SET shown_at = '2025-05-14T10:00:00Z' WHERE region = 'MLA' AND id = 1`] },
    {
      what: 'a conversion naming a later order of the user that did not buy the product',
      sql: [`UPDATE recommendations.recommendation_logs SET converted_order_id = 7, converted_order_created_at = '${placed('MLA', 7)}' WHERE region = 'MLA' AND id = 1`],
    },
    {
      what: 'a conversion naming another buyer\'s order',
      sql: [`UPDATE recommendations.recommendation_logs SET clicked = true, shown_at = '2025-05-31T10:00:00Z', converted_order_id = 2, converted_order_created_at = '${placed('MLA', 2)}' WHERE region = 'MLA' AND id = 2`],
    },
  ],
  'searches-precede-purchases': [
    {
      what: 'fifty orders at noon by a buyer who searches, none after a search for what they bought',
      sql: [
        `INSERT INTO order_processing.orders (region, id, buyer_id, status_id, shipping_address_id, discount_total, total, currency, created_at)
         SELECT 'MLA', 900 + g, 3, ${literal(orderStatus('payment_required'))}, 3, 0, 9000.00, 'ARS', timestamptz '2025-08-10T15:00:00Z' + g * interval '1 day'
         FROM generate_series(1, 50) AS g`,
        `INSERT INTO order_processing.order_details (region, order_id, order_created_at, product_id, quantity, unit_price)
         SELECT 'MLA', 900 + g, timestamptz '2025-08-10T15:00:00Z' + g * interval '1 day', 2, 1, 9000.00
         FROM generate_series(1, 50) AS g`,
      ],
    },
  ],
  'store-owner-is-seller': [
    { what: 'a store owned by a buyer', sql: [`UPDATE user_management.users SET role_id = ${literal(role('user'))} WHERE region = 'MLA' AND id = 4`] },
  ],
  'ad-product-of-campaign-store': [
    { what: 'an ad for another store\'s product', sql: [`UPDATE marketing.ads SET product_id = 3 WHERE region = 'MLA' AND id = 1`] },
  ],
  'discount-campaign-of-product-store': [
    {
      what: 'a discount run by another store\'s campaign',
      sql: [insert('product_catalog.product_discounts', { region: 'MLA', id: 901, product_id: 3, percentage: 5, starts_at: '2024-01-01T00:00:00Z', ends_at: '2024-01-02T00:00:00Z', campaign_id: 1 })],
    },
    { what: 'a campaign discount moved to another store\'s campaign', sql: [`UPDATE product_catalog.product_discounts SET campaign_id = 2 WHERE region = 'MLA' AND id = 1`] },
  ],
  'staff-place-no-orders': [
    { what: 'a buyer who became an administrator', sql: [`UPDATE user_management.users SET role_id = ${literal(role('administrator'))} WHERE region = 'MLA' AND id = 3`] },
  ],
  'no-self-dealing': [
    { what: 'an order bought from the buyer\'s own store', sql: [`UPDATE order_processing.orders SET buyer_id = 2, shipping_address_id = 2 WHERE region = 'MLA' AND id = 3`] },
    { what: 'a seller asking about their own product', sql: [`UPDATE reviews_questions.questions SET asker_id = 2 WHERE region = 'MLA' AND id = 1`] },
    { what: 'a seller writing to their own store', sql: [`UPDATE messaging.conversations SET buyer_id = 12 WHERE region = 'MLB' AND id = 11`] },
  ],
  'order-inside-activity-windows': [
    { what: 'an account opened after its first order', sql: [`UPDATE user_management.users SET created_at = '2025-06-01T00:00:00Z' WHERE region = 'MLA' AND id = 1`] },
    { what: 'a listing published after it was bought', sql: [`UPDATE product_catalog.products SET created_at = '2025-07-01T00:00:00Z' WHERE region = 'MLA' AND id = 3`] },
    { what: 'a coupon switched off, yet used', sql: [`UPDATE order_processing.coupons SET is_active = false WHERE region = 'MLA' AND id = 1`] },
    { what: 'a question asked before the asker had an account', sql: [`UPDATE user_management.users SET created_at = '2025-05-02T00:00:00Z' WHERE region = 'MLA' AND id = 3`] },
  ],
  'inactive-account-nothing-open': [
    { what: 'a suspended buyer with orders waiting for payment and shipping', sql: [`UPDATE user_management.users SET status = 'suspended' WHERE region = 'MLA' AND id = 1`] },
    { what: 'a closed seller whose listings are still active', sql: [`UPDATE user_management.users SET status = 'closed' WHERE region = 'MLA' AND id = 4`] },
  ],
  'inactive-listing-no-open-order': [
    { what: 'a paused listing in paid orders not yet shipped', sql: [`UPDATE product_catalog.products SET status = 'paused' WHERE region = 'MLA' AND id = 2`] },
  ],
  'welcome-coupon-first-order': [
    { what: 'a welcome coupon on the buyer\'s fourth order', sql: [`UPDATE order_processing.coupons SET code = 'BIENVENIDO10' WHERE region = 'MLA' AND id = 1`] },
  ],
  'orders-follow-local-day': [
    {
      what: 'fifty orders placed at four in the morning in Buenos Aires, one a day',
      sql: [
        `INSERT INTO order_processing.orders (region, id, buyer_id, status_id, shipping_address_id, discount_total, total, currency, created_at)
         SELECT 'MLA', 900 + g, 3, ${literal(orderStatus('payment_required'))}, 3, 0, 9000.00, 'ARS', timestamptz '2025-08-10T07:00:00Z' + g * interval '1 day'
         FROM generate_series(1, 50) AS g`,
        `INSERT INTO order_processing.order_details (region, order_id, order_created_at, product_id, quantity, unit_price)
         SELECT 'MLA', 900 + g, timestamptz '2025-08-10T07:00:00Z' + g * interval '1 day', 2, 1, 9000.00
         FROM generate_series(1, 50) AS g`,
        // Each after a search for what it bought, so that only the hour is wrong.
        `INSERT INTO recommendations.user_search_history (region, id, user_id, query_text, searched_at)
         SELECT 'MLA', 900 + g, 3, 'funda', timestamptz '2025-08-10T06:50:00Z' + g * interval '1 day'
         FROM generate_series(1, 50) AS g`,
      ],
    },
  ],
  'order-outcome-matches-payments': [
    { what: 'a refunded order whose payment is still approved', sql: [`UPDATE payments.payments SET status_id = ${literal(paymentStatus('approved'))} WHERE region = 'MLA' AND id = 7`] },
    {
      what: 'a voucher left pending beside the payment that paid the order',
      sql: [insert('payments.payments', { region: 'MLA', id: 901, order_id: 3, order_created_at: placed('MLA', 3), method_id: paymentMethod('cash_voucher'), status_id: paymentStatus('pending'), amount: '9000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0901', created_at: '2025-06-10T09:01:00Z' })],
    },
    {
      what: 'a parcel the carrier could not deliver, which never left',
      sql: [`UPDATE shipping_logistics.shipments SET status_id = ${literal(shipmentStatus('not_delivered'))}, shipped_at = NULL, delivered_at = NULL WHERE region = 'MLA' AND id = 6`],
    },
    {
      what: 'a refund on an order that is still delivered',
      sql: [insert('payments.payments', { region: 'MLB', id: 901, order_id: 11, order_created_at: placed('MLB', 11), method_id: paymentMethod('credit_card'), status_id: paymentStatus('refunded'), amount: '100.00', currency: 'BRL', transaction_ref: 'MP-MLB-0901', created_at: '2025-11-28T12:10:00Z' })],
    },
  ],
  'text-language-matches-site': [
    { what: 'a Portuguese colour in an Argentine title', sql: [`UPDATE product_catalog.products SET title = 'Funda para celular Preto' WHERE region = 'MLA' AND id = 2`] },
    { what: 'a Spanish review on the Brazilian site', sql: [`UPDATE reviews_questions.reviews SET comment = 'Muy bueno, gracias.' WHERE region = 'MLB' AND id = 11`] },
    { what: 'a Brazilian coupon code in Argentina', sql: [`UPDATE order_processing.coupons SET code = 'FRETEGRATIS5' WHERE region = 'MLA' AND id = 2`] },
    {
      what: 'voseo in Mexico',
      sql: [insert('order_processing.coupons', { region: 'MLM', id: 901, code: 'CONSULTANOS', percentage: 5, fixed_amount: null, currency: 'MXN', max_uses: 10, use_count: 0, expires_at: '2030-01-01T00:00:00Z', created_at: '2024-01-01T00:00:00Z' })],
    },
  ],
  'address-place-coherent': [
    { what: 'Rosario moved to the province of Córdoba', sql: [`UPDATE user_management.addresses SET state = 'Córdoba' WHERE region = 'MLA' AND id = 3`] },
    { what: 'Rosario with a postal code of Córdoba', sql: [`UPDATE user_management.addresses SET postal_code = 'X5000' WHERE region = 'MLA' AND id = 3`] },
  ],
  'phone-matches-site': [
    { what: 'a Brazilian number on an Argentine account', sql: [`UPDATE user_management.users SET phone = '+5511987654321' WHERE region = 'MLA' AND id = 1`] },
    { what: 'a Brazilian area code that does not exist', sql: [`UPDATE user_management.users SET phone = '+5520987654321' WHERE region = 'MLB' AND id = 11`] },
  ],
};

// ---------------------------------------------------------------------------------------------

const failing = (results: readonly RuleResult[]) => results.filter((r) => r.offenders > 0).map((r) => r.id);
const check = (results: readonly RuleResult[], id: string) => results.find((r) => r.id === `data/${id}`)!;

describe('the data rules as data', () => {
  it('have unique kebab-case ids under data/, a sentence each, and one SELECT each', () => {
    const ids = DATA_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of DATA_RULES) {
      expect(rule.id).toMatch(/^data\/[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(rule.category, rule.id).toBe('data');
      expect(rule.description, rule.id).toMatch(/^[A-Z].*\.$/);
      expect(rule.sql, rule.id).toMatch(/^SELECT\b[^\n]*\nFROM \(\n(--[^\n]*\n)*(SELECT|WITH)\b/);
      // Wrapped as a subquery: a semicolon outside a comment would end the statement early.
      expect(rule.sql.replace(/--[^\n]*/g, ''), rule.id).not.toContain(';');
    }
  });

  it('look reference rows up by name, never by id', () => {
    for (const rule of DATA_RULES) {
      expect(rule.sql, rule.id).not.toMatch(/(status_id|role_id|method_id)\s*(=|IN)\s*\(?\s*\d/i);
    }
  });

  it('have a break for every rule and no break for a rule that does not exist', () => {
    expect(Object.keys(BREAKS).map((id) => `data/${id}`).sort()).toEqual(DATA_RULES.map((r) => r.id).sort());
  });
});

describe.each(FIXTURE_TARGETS)('data rules on $name', ({ open }) => {
  let target: FixtureTarget;

  /** Apply a break inside a transaction, run the rules, and roll everything back. */
  async function runBroken(statements: readonly string[], sample = 5): Promise<RuleResult[]> {
    await target.query('BEGIN');
    try {
      for (const statement of statements) await target.query(statement);
      return await runRules(target, DATA_RULES, [], sample, { errors: 'throw' });
    } finally {
      await target.query('ROLLBACK');
    }
  }

  beforeAll(async () => {
    target = await open('checks');
    for (const [table, rows] of FIXTURE) for (const row of opened(table, rows)) await target.query(insert(table, row));
  });

  afterAll(async () => {
    await target?.close();
  });

  it('find no offender in the consistent fixture', async () => {
    const results = await runRules(target, DATA_RULES, []);
    expect(results.map((r) => r.id)).toEqual(DATA_RULES.map((r) => r.id));
    for (const r of results) expect({ id: r.id, offenders: r.offenders, findings: r.findings }).toEqual({ id: r.id, offenders: 0, findings: [] });
  });

  it.each(DATA_RULES.map((r) => [r.id.slice('data/'.length)] as const))('%s reports a break of its rule, and only it does', async (id) => {
    const breaks = BREAKS[id];
    expect(breaks?.length, `no break for ${id}`).toBeGreaterThan(0);
    for (const b of breaks ?? []) {
      const results = await runBroken(b.sql);
      expect(failing(results), `${id}: ${b.what}`).toEqual([`data/${id}`]);
      const result = check(results, id);
      expect(result.findings.length).toBe(Math.min(result.offenders, 5));
      for (const finding of result.findings) {
        expect(finding).toMatchObject({ rule: `data/${id}`, severity: 'error', object: expect.stringMatching(/^[A-Z]{3} \S+$|^all products$/) });
        expect(finding.message.length, `${id}: empty detail`).toBeGreaterThan(0);
      }
    }
  });

  it('an order with nothing to pay (a coupon took its whole total) ships without a payment: no rule objects', async () => {
    // Order 2 (shipped): its 20000 taken off by a coupon, and no payment.
    const results = await runBroken([
      `UPDATE order_processing.orders SET discount_total = 20000.00, total = 0, coupon_id = 1 WHERE region = 'MLA' AND id = 2`,
      `UPDATE order_processing.coupons SET use_count = use_count + 1 WHERE region = 'MLA' AND id = 1`,
      `DELETE FROM payments.payments WHERE region = 'MLA' AND id = 3`,
    ]);
    expect(failing(results)).toEqual([]);
  });

  it('counts every offender but lists at most `sample` of them', async () => {
    // Every order of the fixture one peso off: 8 offenders of order-total-matches-lines.
    const statements = [`UPDATE order_processing.orders SET total = total + 1`];
    const two = check(await runBroken(statements, 2), 'order-total-matches-lines');
    expect(two.offenders).toBe(8);
    expect(two.findings.map((f) => f.object)).toEqual(['MLA 1', 'MLA 2']);
    const none = check(await runBroken(statements, 0), 'order-total-matches-lines');
    expect(none).toMatchObject({ offenders: 8, findings: [] });
    await expect(runRules(target, DATA_RULES, [], -1)).rejects.toThrow(RangeError);
  });

  it('a rule that cannot run is a finding for verify, and the error itself for seed', async () => {
    const broken = [{ ...DATA_RULES[0]!, sql: 'SELECT object, message FROM no_such_schema.no_such_table' }];
    const [reported] = await runRules(target, broken, []);
    expect(reported).toMatchObject({ offenders: 1, findings: [{ object: '(rule)' }] });
    await expect(runRules(target, broken, [], 5, { errors: 'throw' })).rejects.toMatchObject({ code: '42P01' });
  });

  it('leave the fixture consistent after every rolled-back break', async () => {
    expect(failing(await runRules(target, DATA_RULES, []))).toEqual([]);
  });
});
