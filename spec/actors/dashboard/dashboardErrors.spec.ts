import { expect } from 'chai';
import * as dashboardErrors from '../../../actors/dashboard/dashboardErrors.js';
import { AsyncoroError } from '../../../runtime/runtimeErrors.js';

describe('dashboardErrors', () => {
  const classes = Object.values(dashboardErrors).filter((v): v is typeof dashboardErrors.DashboardForbiddenError => typeof v === 'function' && v.prototype instanceof AsyncoroError);

  it('each has its own ERR_DASHBOARD_ code and name, and is() recognises it, also rebuilt from its code', () => {
    expect(classes.length).to.be.at.least(6);
    for (const C of classes) {
      const e = new C('x');
      expect([e.code, e.name, C.is(e), C.is({ code: C.CODE })], C.name).to.deep.equal([C.CODE, C.name, true, true]);
      expect(C.CODE).to.match(/^ERR_DASHBOARD_[A-Z_]+$/);
    }
    expect(new Set(classes.map((C) => C.CODE)).size).to.equal(classes.length);
  });

  it('the errors an HTTP request can meet carry their status', () => {
    const status = (C: unknown): number | undefined => (C as { STATUS?: number }).STATUS;
    expect(status(dashboardErrors.DashboardUnauthorizedError)).to.equal(401);
    expect(status(dashboardErrors.DashboardForbiddenError)).to.equal(403);
    expect(status(dashboardErrors.DashboardNotFoundError)).to.equal(404);
    expect(status(dashboardErrors.DashboardMethodError)).to.equal(405);
    expect(status(dashboardErrors.DashboardActionError)).to.equal(500);
    expect(status(dashboardErrors.InsecureDashboardError)).to.equal(undefined); // raised at start, not per request
  });
});
