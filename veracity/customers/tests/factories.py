import factory

from veracity.accounts.tests.factories import UserFactory
from veracity.core.normalisation import name_pinyin
from veracity.customers.models import Contact, Customer, CustomerKind, Tag


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


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    name_pinyin = factory.LazyAttribute(lambda contact: name_pinyin(contact.name)[0])
    name_initials = factory.LazyAttribute(lambda contact: name_pinyin(contact.name)[1])
