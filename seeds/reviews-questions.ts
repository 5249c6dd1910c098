/**
 * Seeds component 5. Questions are computed per index; reviews are derived in SQL from the
 * delivered order lines, because "one review per buyer and product, by a buyer of it, after
 * delivery" is one DISTINCT ON over data already loaded.
 */
import { questions, reviews } from '../schema/index.ts';
import { quoteLiteral } from '../src/ident.ts';
import { range, type CopySeed, type SqlSeed } from './table-seed.ts';
import { ANSWERS, QUESTIONS, reviewComment } from './text.ts';
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
      const topic = r.below(QUESTIONS[language].length, S.Question, q);
      const at = w.momentInWindow(S.Question, q);
      const answeredAt = at + 10 * MINUTE_MS + r.below(DAY / 2, S.Question, q, 1);
      const s = r.below(100, S.Question, q, 2);
      const status = s < 5 ? 'banned' : s < 75 && answeredAt < w.options.until ? 'answered' : 'unanswered';
      yield [
        region, q + 1, w.productIn(region, S.Question, q, 3) + 1, w.userIn(region, S.Question, q, 4) + 1,
        QUESTIONS[language][topic]!, status,
        status === 'answered' ? ANSWERS[language][topic]! : null,
        status === 'answered' ? timestamp(answeredAt) : null,
        timestamp(at),
      ];
    }
  },
};

function commentArray(language: Language, rating: number): string {
  const texts = [0, 1, 2, 3, 4].map((n) => reviewComment(language, rating, n));
  return `ARRAY[${[...new Set(texts)].map(quoteLiteral).join(', ')}]`;
}

export const reviewsSeed: SqlSeed = {
  kind: 'sql',
  table: reviews,
  sql(w: World) {
    const ptRegions = w.options.regions.filter((r) => w.language(r) === 'pt');
    const isPt = ptRegions.length ? `x.region IN (${ptRegions.map(quoteLiteral).join(', ')})` : 'false';
    const comment = (rating: number) =>
      `(CASE WHEN ${isPt} THEN ${commentArray('pt', rating)} ELSE ${commentArray('es', rating)} END)[1 + (x.h / 7) % 3]`;
    return `
-- About three in ten delivered lines get a review; a buyer who bought the same product twice
-- reviews it once, for the first order. Written up to two weeks after delivery.
INSERT INTO reviews_questions.reviews (region, id, buyer_id, product_id, order_id, order_created_at, rating, comment, moderation_status, created_at)
SELECT x.region, row_number() OVER (ORDER BY x.region, x.order_id, x.product_id), x.buyer_id, x.product_id, x.order_id, x.order_created_at, x.rating,
       CASE WHEN x.h % 5 = 0 THEN NULL ELSE
         CASE x.rating WHEN 5 THEN ${comment(5)} WHEN 4 THEN ${comment(4)} WHEN 3 THEN ${comment(3)} ELSE ${comment(1)} END
       END,
       (CASE WHEN x.h % 100 < 90 THEN 'approved' WHEN x.h % 100 < 98 THEN 'pending' ELSE 'rejected' END)::reviews_questions.moderation_status,
       least(x.delivered_at + (x.h % 14) * interval '1 day' + interval '3 hours', ${quoteLiteral(timestamp(w.options.until))}::timestamptz)
  FROM (
    SELECT DISTINCT ON (o.region, o.buyer_id, d.product_id)
           o.region, o.buyer_id, d.product_id, o.id AS order_id, o.created_at AS order_created_at, s.delivered_at, l.h,
           CASE WHEN l.h * 31 % 100 < 55 THEN 5 WHEN l.h * 31 % 100 < 80 THEN 4 WHEN l.h * 31 % 100 < 90 THEN 3
                WHEN l.h * 31 % 100 < 95 THEN 2 ELSE 1 END AS rating
      FROM order_processing.orders o
      JOIN order_processing.order_details d ON d.region = o.region AND d.order_id = o.id AND d.order_created_at = o.created_at
      JOIN shipping_logistics.shipments s ON s.region = o.region AND s.order_id = o.id
      CROSS JOIN LATERAL (SELECT ((o.id * 7919 + d.product_id * 104729 + ${w.options.seed % 100_000}) % 1000)::int AS h) l
     WHERE o.status_id = ${ORDER_STATUS.delivered} AND s.delivered_at IS NOT NULL AND l.h < 300
     ORDER BY o.region, o.buyer_id, d.product_id, o.id
  ) x`;
  },
};

export const reviewsQuestionsSeeds = [questionsSeed, reviewsSeed];
