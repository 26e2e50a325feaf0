import { adjudicationRefusal, promotionRefusal, STATUS_FOR_STATE, type PromotionContext } from '../../domain/lifecycle';
import type { Principal } from '../../domain/types';

const requester: Principal = { subject: 'alice', tenantId: 't1', roles: ['capability-author'] };
const reviewer: Principal = { subject: 'bob', tenantId: 't1', roles: ['capability-reviewer'] };

function ctx(over: Partial<PromotionContext>): PromotionContext {
  return {
    current: 'Draft',
    target: 'Review',
    status: 'DRAFT',
    reviewer,
    requestedBy: requester,
    tenantId: 't1',
    contractValidationPassed: true,
    ...over,
  };
}

describe('promotionRefusal', () => {
  it.each<[string, Partial<PromotionContext>]>([
    ['Draft → Review', { current: 'Draft', target: 'Review', status: 'DRAFT' }],
    ['Review → Approved', { current: 'Review', target: 'Approved', status: 'REVIEW' }],
    ['Approved → Active', { current: 'Approved', target: 'Active', status: 'APPROVED' }],
    ['Draft → Review by an admin', { reviewer: { ...reviewer, roles: ['admin'] } }],
    [
      'Draft → Review by the requester when replaying runs from before four eyes on every step',
      { reviewer: { ...requester, roles: ['admin'] }, fourEyesOnEveryStep: false },
    ],
  ])('admits %s', (_title, over) => {
    expect(promotionRefusal(ctx(over))).toBeNull();
  });

  it.each<[string, Partial<PromotionContext>, RegExp]>([
    ['a reviewer of another tenant', { reviewer: { ...reviewer, tenantId: 't2' } }, /another tenant/],
    [
      'a reviewer without a reviewer role',
      { reviewer: { ...reviewer, roles: ['capability-author'] } },
      /requires one of the roles admin, capability-reviewer/,
    ],
    ['a run with no contract', { current: null, status: 'BLOCKED' }, /no contract to promote \(status BLOCKED\)/],
    ['a run that is not in a promotable status', { status: 'REJECTED' }, /status REJECTED cannot be promoted/],
    ['a run that is already Active', { current: 'Active', target: 'Active', status: 'APPROVED' }, /already Active/],
    [
      'skipping a state',
      { current: 'Draft', target: 'Approved' },
      /cannot move Draft to Approved; the next state is Review/,
    ],
    ['moving backwards', { current: 'Review', target: 'Draft', status: 'REVIEW' }, /the next state is Approved/],
    ['a contract that did not pass validation', { contractValidationPassed: false }, /validation did not pass/],
    [
      'approval by the requester',
      { current: 'Review', target: 'Approved', status: 'REVIEW', reviewer: { ...requester, roles: ['admin'] } },
      /Approved requires a reviewer other than the requester/,
    ],
    [
      'activation by the requester',
      {
        current: 'Approved',
        target: 'Active',
        status: 'APPROVED',
        reviewer: { ...requester, roles: ['capability-reviewer'] },
      },
      /Active requires a reviewer other than the requester/,
    ],
  ])('refuses %s', (_title, over, reason) => {
    expect(promotionRefusal(ctx(over))).toMatch(reason);
  });

  it('checks the tenant before the role', () => {
    expect(promotionRefusal(ctx({ reviewer: { subject: 'x', tenantId: 't2', roles: [] } }))).toMatch(/another tenant/);
  });

  it('checks the role before the contract and the state', () => {
    expect(promotionRefusal(ctx({ reviewer: { ...reviewer, roles: [] }, current: null }))).toMatch(/requires one of/);
  });

  it('checks the state order before the validation evidence', () => {
    expect(promotionRefusal(ctx({ target: 'Active', contractValidationPassed: false }))).toMatch(
      /next state is Review/,
    );
  });

  it('maps every lifecycle state to its run status', () => {
    expect(STATUS_FOR_STATE).toEqual({ Draft: 'DRAFT', Review: 'REVIEW', Approved: 'APPROVED', Active: 'ACTIVE' });
  });
});

describe('adjudicationRefusal', () => {
  it('admits a reviewer of the run tenant with a comment while the run awaits adjudication', () => {
    expect(adjudicationRefusal('AWAITING_ADJUDICATION', reviewer, 't1', 'looks distinct enough')).toBeNull();
  });

  it.each<[string, Parameters<typeof adjudicationRefusal>, RegExp]>([
    [
      'a reviewer of another tenant',
      ['AWAITING_ADJUDICATION', { ...reviewer, tenantId: 't2' }, 't1', 'ok'],
      /another tenant/,
    ],
    [
      'an author without a reviewer role',
      ['AWAITING_ADJUDICATION', requester, 't1', 'ok'],
      /requires one of the roles/,
    ],
    [
      'a run that is not awaiting adjudication',
      ['DRAFT', reviewer, 't1', 'ok'],
      /status DRAFT is not awaiting adjudication/,
    ],
    ['an empty comment', ['AWAITING_ADJUDICATION', reviewer, 't1', ''], /requires an audit comment/],
    ['a whitespace-only comment', ['AWAITING_ADJUDICATION', reviewer, 't1', ' \n\t '], /requires an audit comment/],
  ])('refuses %s', (_title, args, reason) => {
    expect(adjudicationRefusal(...args)).toMatch(reason);
  });
});
