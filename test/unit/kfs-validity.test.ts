import { WorkingDayCalendar } from '../../src/core/kfs/working-days';
import { KfsService } from '../../src/core/kfs/kfs.service';
import type { Clock } from '../../src/lib/clock';

const settings = { lenderName: 'Sandbox Bank', grievanceOfficer: { name: 'Officer', phone: '1800', email: 'g@bank.example' }, validityWorkingDays: 3 };
const clock: Clock = { now: () => new Date() };
/** validUntil needs only the calendar and the settings. */
const serviceWith = (calendar: WorkingDayCalendar) => new KfsService(null as never, null as never, null as never, null as never, calendar, settings, clock, null as never);

describe('Indian bank working days (date-holidays, IN)', () => {
  const calendar = new WorkingDayCalendar('IN');

  it('counts Sundays and the 2nd and 4th Saturdays as holidays, and the 1st, 3rd and 5th Saturdays as working days', () => {
    expect(calendar.isWorkingDay('2027-02-07')).toBe(false); // Sunday
    expect(calendar.isWorkingDay('2027-02-06')).toBe(true); // 1st Saturday
    expect(calendar.isWorkingDay('2027-02-13')).toBe(false); // 2nd Saturday
    expect(calendar.isWorkingDay('2027-02-20')).toBe(true); // 3rd Saturday
    expect(calendar.isWorkingDay('2027-02-27')).toBe(false); // 4th Saturday
    expect(calendar.isWorkingDay('2027-01-30')).toBe(true); // 5th Saturday
  });

  it('counts the national public holidays (Republic Day, Independence Day, Gandhi Jayanti) as holidays', () => {
    expect(calendar.isWorkingDay('2027-01-26')).toBe(false);
    expect(calendar.isWorkingDay('2026-08-15')).toBe(false);
    expect(calendar.isWorkingDay('2026-10-02')).toBe(false);
    expect(calendar.isWorkingDay('2027-01-27')).toBe(true);
  });

  it('with a state calendar (IN-MH), adds that state\'s public holidays: Maharashtra Day', () => {
    expect(calendar.isWorkingDay('2027-05-01')).toBe(true); // a 1st Saturday, nationally a working day
    expect(new WorkingDayCalendar('IN-MH').isWorkingDay('2027-05-01')).toBe(false);
  });

  it('refuses a calendar that is not India or one of its states', () => {
    expect(() => new WorkingDayCalendar('US')).toThrow(RangeError);
    expect(() => new WorkingDayCalendar('IN-ZZ')).toThrow(RangeError);
  });
});

describe('the validity of a Key Fact Statement: 3 working days after the day of issue', () => {
  const service = serviceWith(new WorkingDayCalendar('IN'));

  it('when issued on the Friday before Republic Day, then the 4th Saturday, Sunday and 26 January are skipped: valid to the end of Thursday 28 January (IST)', () => {
    // Fri 22 Jan 2027 → Mon 25, (Tue 26 Republic Day), Wed 27, Thu 28.
    expect(service.validUntil('2027-01-22')).toEqual(new Date('2027-01-28T18:30:00.000Z'));
  });

  it('when issued on a Friday before a 2nd-Saturday weekend, then the weekend is skipped: valid to the end of Wednesday', () => {
    // Fri 12 Feb 2027 → (Sat 13, 2nd Saturday; Sun 14) Mon 15, Tue 16, Wed 17.
    expect(service.validUntil('2027-02-12')).toEqual(new Date('2027-02-17T18:30:00.000Z'));
  });

  it('when issued on a Monday with no holiday ahead, then it is valid to the end of Thursday', () => {
    expect(service.validUntil('2027-03-01')).toEqual(new Date('2027-03-04T18:30:00.000Z'));
  });

  it('when issued on a Friday before a 1st-Saturday weekend, then that Saturday counts', () => {
    // Fri 5 Feb 2027 → Sat 6 (1st Saturday), (Sun 7) Mon 8, Tue 9.
    expect(service.validUntil('2027-02-05')).toEqual(new Date('2027-02-09T18:30:00.000Z'));
  });
});
