/**
 * Administration: an administrator (group role ecomdb_administrator) manages accounts — suspends
 * and reactivates them, assigns their role — and moderates what people write: approves or rejects
 * a review (a rejected one is hidden), bans a question. Every change to an account is recorded by
 * the audit trail (the login and the acting user of the transaction).
 *
 * What the role matrix lets the administrator write, and nothing more: users' status and role_id,
 * reviews' and messages' moderation_status, questions' and conversations' status.
 */
import { and, eq, sql } from 'drizzle-orm';
import { questions, reviews, users } from '../../schema/index.ts';
import { MODERATION_STATUSES, ROLES, USER_STATUSES, type SiteId } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { id, oneOf, refuse, site } from './guard.ts';
import { nameOf, ROLE, type Role } from './reference.ts';

export interface AccountParams {
  readonly region: SiteId;
  readonly userId: number;
}

export interface AccountState {
  readonly userId: number;
  readonly status: (typeof USER_STATUSES)[number];
  readonly role: Role;
}

/** Set an account's status, from one of `from`; E_ACCESS_NOT_FOUND or E_ACCESS_STATE otherwise. */
async function setStatus(db: AccessDb, params: AccountParams, to: 'active' | 'suspended', from: readonly (typeof USER_STATUSES)[number][]): Promise<AccountState> {
  const region = site(params.region);
  const userId = id('userId', params.userId);
  const [row] = await db
    .update(users)
    .set({ status: to })
    .where(and(eq(users.region, region), eq(users.id, userId), sql`${users.status} IN (${sql.join(from.map((s) => sql`${s}`), sql`, `)})`))
    .returning({ userId: users.id, status: users.status, roleId: users.roleId });
  if (row) return { userId: row.userId, status: row.status, role: nameOf(ROLES, row.roleId) };
  const [now] = await db.select({ status: users.status }).from(users).where(and(eq(users.region, region), eq(users.id, userId)));
  if (!now) throw refuse('E_ACCESS_NOT_FOUND', `no user ${userId} in ${region}`, 'check the user id and the site', { region, userId });
  throw refuse('E_ACCESS_STATE', `user ${userId} is ${now.status}`, `only a ${from.join(' or ')} account can be made ${to}`, { region, userId, status: now.status });
}

/** Suspend an active account: it can no longer sign in, buy or sell (requireActiveUser refuses it). */
export async function suspendUser(db: AccessDb, params: AccountParams): Promise<AccountState> {
  return setStatus(db, params, 'suspended', ['active']);
}

/** Reactivate a suspended account. A closed account (closed by its user) stays closed. */
export async function reactivateUser(db: AccessDb, params: AccountParams): Promise<AccountState> {
  return setStatus(db, params, 'active', ['suspended']);
}

export interface AssignRoleParams extends AccountParams {
  /** The marketplace role the account gets (its one role: users.role_id). */
  readonly role: Role;
}

/**
 * Assign an account its role (buyer `user`, `seller`, or a staff role). The account's role in the
 * marketplace is users.role_id; a staff member's database login joins the matching group role
 * with `ecomdb roles grant-login` (a role change, not a row change).
 */
export async function assignRole(db: AccessDb, params: AssignRoleParams): Promise<AccountState> {
  const region = site(params.region);
  const userId = id('userId', params.userId);
  const role = oneOf('role', params.role, ROLES.map((r) => r.name));
  const [row] = await db
    .update(users)
    .set({ roleId: ROLE[role] })
    .where(and(eq(users.region, region), eq(users.id, userId)))
    .returning({ userId: users.id, status: users.status, roleId: users.roleId });
  if (!row) throw refuse('E_ACCESS_NOT_FOUND', `no user ${userId} in ${region}`, 'check the user id and the site', { region, userId });
  return { userId: row.userId, status: row.status, role: nameOf(ROLES, row.roleId) };
}

export interface ModerateReviewParams {
  readonly region: SiteId;
  readonly reviewId: number;
  /** approved shows the review; rejected hides it; pending puts it back in the queue. */
  readonly decision: (typeof MODERATION_STATUSES)[number];
}

/** Decide on a review: a rejected review is hidden from the product page and its rating. */
export async function moderateReview(db: AccessDb, params: ModerateReviewParams): Promise<{ reviewId: number; moderationStatus: (typeof MODERATION_STATUSES)[number] }> {
  const region = site(params.region);
  const reviewId = id('reviewId', params.reviewId);
  const decision = oneOf('decision', params.decision, MODERATION_STATUSES);
  const [row] = await db
    .update(reviews)
    .set({ moderationStatus: decision })
    .where(and(eq(reviews.region, region), eq(reviews.id, reviewId)))
    .returning({ reviewId: reviews.id, moderationStatus: reviews.moderationStatus });
  if (!row) throw refuse('E_ACCESS_NOT_FOUND', `no review ${reviewId} in ${region}`, 'check the review id and the site', { region, reviewId });
  return row;
}

/**
 * Ban an unanswered question (hidden from the product page, no longer answerable). An answered
 * question is refused with E_ACCESS_STATE: its answer stays with it (the table's rule: a question
 * has an answer exactly when it is answered).
 */
export async function banQuestion(db: AccessDb, params: { readonly region: SiteId; readonly questionId: number }): Promise<{ questionId: number; status: 'banned' }> {
  const region = site(params.region);
  const questionId = id('questionId', params.questionId);
  const [row] = await db
    .update(questions)
    .set({ status: 'banned' })
    .where(and(eq(questions.region, region), eq(questions.id, questionId), eq(questions.status, 'unanswered')))
    .returning({ questionId: questions.id });
  if (row) return { questionId: row.questionId, status: 'banned' };
  const [now] = await db.select({ status: questions.status }).from(questions).where(and(eq(questions.region, region), eq(questions.id, questionId)));
  if (!now) throw refuse('E_ACCESS_NOT_FOUND', `no question ${questionId} in ${region}`, 'check the question id and the site', { region, questionId });
  throw refuse('E_ACCESS_STATE', `question ${questionId} is ${now.status}`, 'only an unanswered question can be banned', { region, questionId, status: now.status });
}
