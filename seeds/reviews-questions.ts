/**
 * Seeds component 5. Questions are computed per index: a returning buyer asks about an active
 * listing something that fits its kind (voltage for appliances, size for clothes), in the site's
 * language and variety. Reviews are derived in SQL from the delivered order lines, because "one
 * review per buyer and product, by a buyer of it, after delivery" is one DISTINCT ON over data
 * already loaded; their rating falls with a slow delivery and a poor store, and their comment is
 * an opening for the rating, a sentence on the product's kind and one on the delivery.
 */
import { questions, reviews } from '../schema/index.ts';
import { quoteLiteral } from '../src/ident.ts';
import { range, type CopySeed, type SqlSeed } from './table-seed.ts';
import { leafCategoryId } from './product-catalog.ts';
import { LEAVES, answerText, questionText, reviewParts, topics, voice, type Band, type Kind } from './text.ts';
import { DAY, MINUTE_MS, S, timestamp, type World, ORDER_STATUS } from './world.ts';
import type { Language } from './locales.ts';

export const questionsSeed: CopySeed = {
  kind: 'copy',
  table: questions,
  columns: ['region', 'id', 'product_id', 'asker_id', 'body', 'status', 'answer', 'answered_at', 'created_at'],
  expected: (w) => w.layout.total('questions'),
  *rows(w: World) {
    const r = w.random;
    for (const q of range(w.layout.total('questions'))) {
      const region = w.layout.blockOf('questions', q).region;
      const language = w.language(region);
      const at = w.momentInWindow(region, S.Question, q);
      const product = w.activeProductIn(region, at, S.Question, q, 3);
      const kind = LEAVES[w.productLeaf(product)]!.kind;
      const list = topics(language, kind);
      const topic = list[r.below(list.length, S.Question, q)]!;
      const answeredAt = at + 10 * MINUTE_MS + Math.floor(r.float(S.Question, q, 1) ** 2 * DAY);
      const s = r.below(100, S.Question, q, 2);
      const status = s < 4 ? 'banned' : s < 80 && answeredAt < w.options.until ? 'answered' : 'unanswered';
      const n = r.int(S.Question, q, 5);
      yield [
        region, q + 1, product + 1, w.buyerAt(region, at, S.Question, q) + 1,
        voice(questionText(language, topic, n), w.voseo(region)), status,
        status === 'answered' ? voice(answerText(language, topic, n >>> 8), w.voseo(region)) : null,
        status === 'answered' ? timestamp(answeredAt) : null,
        timestamp(at),
      ];
    }
  },
};

const array = (items: readonly string[]) => `ARRAY[${items.map(quoteLiteral).join(', ')}]::text[]`;
/** One element of a literal array, chosen by the integer expression `h`. */
const pick = (items: readonly string[], h: string) => `(${array(items)})[1 + (${h}) % ${items.length}]`;

/** The comment of a review, in SQL: opening, product sentence and delivery sentence for `language`. */
function commentSql(language: Language): string {
  const parts = reviewParts(language);
  const kinds = [...new Set(LEAVES.map((l) => l.kind))];
  const byBand = (f: (band: Band) => string) => `CASE x.band WHEN 'good' THEN ${f('good')} WHEN 'fair' THEN ${f('fair')} ELSE ${f('bad')} END`;
  const product = (band: Band) => `CASE x.kind ${kinds.map((k) => `WHEN ${quoteLiteral(k)} THEN ${pick(parts.product[k as Kind][band], 'x.g / 11')}`).join(' ')} END`;
  const delivery = `CASE WHEN x.speed = 'fast' THEN ${pick(parts.delivery.fast, 'x.g / 97')} WHEN x.speed = 'slow' AND x.band <> 'good' THEN ${pick(parts.delivery.slow, 'x.g / 97')} ELSE ${pick(parts.delivery.normal, 'x.g / 97')} END`;
  return `concat_ws(' ', ${byBand((b) => pick(parts.opening[b], 'x.g'))}, ${byBand(product)}, NULLIF(${delivery}, ''))`;
}

export const reviewsSeed: SqlSeed = {
  kind: 'sql',
  table: reviews,
  sql(w: World) {
    const ptRegions = w.options.regions.filter((r) => w.language(r) === 'pt');
    const isPt = ptRegions.length ? `x.region IN (${ptRegions.map(quoteLiteral).join(', ')})` : 'false';
    const kindOf = `CASE p.category_id ${LEAVES.map((l, i) => `WHEN ${leafCategoryId(i)} THEN ${quoteLiteral(l.kind)}`).join(' ')} END`;
    return `
-- About three in ten delivered lines get a review; a buyer who bought the same product twice
-- reviews it once, for the first order. Written up to two weeks after delivery. The rating
-- starts from the buyer's taste and loses a star for a delivery over a week (two over twelve
-- days) and one for a poor store (one store in eight); a delivery within two days lifts a 4.
INSERT INTO reviews_questions.reviews (region, id, buyer_id, product_id, order_id, order_created_at, rating, comment, moderation_status, created_at)
SELECT x.region, row_number() OVER (ORDER BY x.region, x.order_id, x.product_id), x.buyer_id, x.product_id, x.order_id, x.order_created_at, x.rating,
       CASE WHEN x.h % 6 = 0 THEN NULL WHEN ${isPt} THEN ${commentSql('pt')} ELSE ${commentSql('es')} END,
       (CASE WHEN x.h % 100 < 90 THEN 'approved' WHEN x.h % 100 < 98 THEN 'pending' ELSE 'rejected' END)::reviews_questions.moderation_status,
       least(x.delivered_at + (x.h % 14) * interval '1 day' + interval '3 hours', ${quoteLiteral(timestamp(w.options.until))}::timestamptz)
  FROM (
    SELECT y.*, CASE WHEN y.rating >= 4 THEN 'good' WHEN y.rating = 3 THEN 'fair' ELSE 'bad' END AS band
      FROM (
        SELECT DISTINCT ON (o.region, o.buyer_id, d.product_id)
               o.region, o.buyer_id, d.product_id, o.id AS order_id, o.created_at AS order_created_at, s.delivered_at, l.h, l.g,
               ${kindOf} AS kind,
               CASE WHEN l.days < 2 THEN 'fast' WHEN l.days <= 6 THEN 'normal' ELSE 'slow' END AS speed,
               greatest(1, least(5,
                 CASE WHEN l.h * 31 % 100 < 52 THEN 5 WHEN l.h * 31 % 100 < 78 THEN 4 WHEN l.h * 31 % 100 < 89 THEN 3
                      WHEN l.h * 31 % 100 < 95 THEN 2 ELSE 1 END
                 - CASE WHEN l.days > 12 THEN 2 WHEN l.days > 7 THEN 1 ELSE 0 END
                 - CASE WHEN (p.store_id::bigint * 2654435761) % 1000 < 125 THEN 1 ELSE 0 END
                 + CASE WHEN l.days < 2 AND l.h * 31 % 100 BETWEEN 52 AND 77 THEN 1 ELSE 0 END)) AS rating
          FROM order_processing.orders o
          JOIN order_processing.order_details d ON d.region = o.region AND d.order_id = o.id AND d.order_created_at = o.created_at
          JOIN shipping_logistics.shipments s ON s.region = o.region AND s.order_id = o.id AND s.order_created_at = o.created_at
          JOIN product_catalog.products p ON p.region = d.region AND p.id = d.product_id
          CROSS JOIN LATERAL (SELECT ((o.id * 7919 + d.product_id * 104729 + ${w.options.seed % 100_000}) % 1000)::int AS h,
                                     ((o.id * 2654435761 + d.product_id * 40503 + ${w.options.seed % 100_000}) % 1000003)::int AS g,
                                     extract(epoch FROM s.delivered_at - o.created_at) / 86400 AS days) l
         WHERE o.status_id = ${ORDER_STATUS.delivered} AND s.delivered_at IS NOT NULL AND l.h < 300
         ORDER BY o.region, o.buyer_id, d.product_id, o.id
      ) y
  ) x`;
  },
};

export const reviewsQuestionsSeeds = [questionsSeed, reviewsSeed];
