import factory

from veracity.accounts.tests.factories import UserFactory
from veracity.core.normalisation import name_pinyin
from veracity.customers.models import Contact, Customer, CustomerKind, Tag
from veracity.matching.canonical import stored_match_keys


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    """A company customer with search keys filled as the services would fill them."""

    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"T{n:05d}")
    kind = CustomerKind.COMPANY
    name = factory.Sequence(lambda n: f"测试公司{n}")
    owner = factory.SubFactory(UserFactory)
    name_pinyin = factory.LazyAttribute(lambda customer: name_pinyin(customer.name, person=False)[0])
    name_initials = factory.LazyAttribute(lambda customer: name_pinyin(customer.name, person=False)[1])
    match_name = factory.LazyAttribute(
        lambda customer: stored_match_keys(customer.name, company=customer.kind == CustomerKind.COMPANY)["match_name"])
    match_name_pinyin = factory.LazyAttribute(
        lambda customer: stored_match_keys(customer.name, company=customer.kind == CustomerKind.COMPANY)["match_name_pinyin"])
    match_brand = factory.LazyAttribute(
        lambda customer: stored_match_keys(customer.name, company=customer.kind == CustomerKind.COMPANY)["match_brand"])


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    name_pinyin = factory.LazyAttribute(lambda contact: name_pinyin(contact.name)[0])
    name_initials = factory.LazyAttribute(lambda contact: name_pinyin(contact.name)[1])
    match_name = factory.LazyAttribute(lambda contact: stored_match_keys(contact.name, company=False)["match_name"])
    match_name_pinyin = factory.LazyAttribute(
        lambda contact: stored_match_keys(contact.name, company=False)["match_name_pinyin"])
